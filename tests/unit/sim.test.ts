/** The simulator: every profile parses cleanly at every moment, says what the profile says, and behaves like a kernel. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActiveSource } from '../../electron/host/active-source';
import { createHandlers } from '../../electron/host/handlers';
import { Sampler } from '../../electron/host/sampler';
import { dispatch } from '../../shared/api';
import { applyEdits } from '../../shared/sim/edit';
import { applyRecommended } from '../../shared/sim/recommend';
import { readHost } from '../../shared/host/read/index';
import { buildReport } from '../../shared/host/report';
import { SCENARIO_RATES, SimMachine } from '../../shared/sim/machine';
import { parseProfile, SCENARIOS, type Profile } from '../../shared/sim/profile';
import { findProfile, PROFILES } from '../../shared/sim/profiles';
import { SimFiles } from '../../shared/sim/source';
import { SimWriter } from '../../electron/host/sim-writer';
import { simFiles, writeTree } from '../../shared/sim/write';
import { MemoryFiles } from '../../shared/host/files';
import type { HostSample } from '../../shared/api';
import { CLI } from '../helpers';
import { manualTimers } from '../mocks/timers';

// Made before the first test, not while collecting: a run whose filter skips every test here runs neither
// hook, so a directory made at collection would be left behind.
let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'hugetune-sim-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const report = (m: SimMachine) => buildReport(readHost(simFiles(m)));
const profile = (id: string): Profile => findProfile(id)!;

const arbProfile: fc.Arbitrary<Profile> = fc
  .record({
    arch: fc.constantFrom('x86_64' as const, 'aarch64' as const),
    release: fc.constantFrom(
      '4.18.0-553.el8_10.x86_64',
      '5.15.0-119-generic',
      '6.1.0-26-amd64',
      '6.8.0-45-generic',
      '6.11.0-1016-nvidia',
      '6.12.9',
      '6.18.2',
    ),
    nodes: fc.array(fc.record({ memGiB: fc.integer({ min: 4, max: 1024 }), cpus: fc.integer({ min: 0, max: 96 }) }), {
      minLength: 1,
      maxLength: 4,
    }),
    thp: fc.constantFrom('always' as const, 'madvise' as const, 'never' as const),
    hvo: fc.boolean(),
    pool2m: fc.integer({ min: 0, max: 2048 }),
    fragmentation: fc.double({ min: 0, max: 1, noNaN: true }),
    scenario: fc.constantFrom(...SCENARIOS),
    seed: fc.integer({ min: 0, max: 1000 }),
    pdpe1gb: fc.boolean(),
  })
  .map((r) => {
    const nodes = r.nodes.some((n) => n.cpus > 0) ? r.nodes : [{ ...r.nodes[0]!, cpus: 4 }, ...r.nodes.slice(1)];
    return {
      id: 'random',
      description: 'random',
      arch: r.arch,
      release: r.release,
      hvoBuiltIn: true,
      sockets: 1,
      nodes,
      cmdline: 'ro quiet',
      thp: r.thp,
      defrag: 'madvise',
      hvo: r.hvo,
      pools: [{ sizeKiB: 2048, perNode: nodes.map((_, i) => (i === 0 ? r.pool2m : 0)) }],
      pdpe1gb: r.pdpe1gb,
      fragmentation: r.fragmentation,
      numaBalancing: 0,
      demotion: false,
      scenario: r.scenario,
      seed: r.seed,
    } satisfies Profile;
  });

describe('every profile at every moment', () => {
  it('parses with no malformed file, and the readers report what the profile says', () => {
    fc.assert(
      fc.property(arbProfile, fc.integer({ min: 0, max: 86400 * 30 }), (p, seconds) => {
        expect(parseProfile(p).ok).toBe(true);
        const m = new SimMachine(p);
        m.advance(seconds);
        const r = report(m);
        expect(r.diagnostics.filter((d) => d.problem !== 'missing')).toEqual([]);
        expect(r.kernel.release).toBe(p.release);
        expect(r.kernel.arch).toBe(p.arch);
        expect(r.thp.enabled).toBe(p.thp);
        // Node MemTotal: installed memory less what memblock kept at boot.
        expect(r.numa.nodes.map((n) => n.memTotalKiB)).toEqual(p.nodes.map((_, n) => m.nodeMemTotalKiB(n)));
        r.numa.nodes.forEach((n, i) => expect(n.memTotalKiB).toBeLessThan(p.nodes[i]!.memGiB * 1048576));
        expect(r.numa.nodes.map((n) => n.cpus?.length)).toEqual(p.nodes.map((n) => n.cpus));
        const pool = r.hugetlb.pools.find((x) => x.pageSizeKiB === 2048)!;
        expect(pool.total).toBe(m.pools.find((x) => x.sizeKiB === 2048)!.perNode.reduce((a, b) => a + b, 0));
        expect(r.tlb.available).toBe(p.arch === 'x86_64');
        if (m.hvoAvailable() && m.hasHvoSysctl()) expect(r.hvo.enabled).toBe(p.hvo);
        if (r.kernel.implies.memmapCounters) expect(r.hvo.memmapPages).toBe(m.memmapPages());
      }),
      { numRuns: 120 },
    );
  });
  it('the built-in profiles are valid and read cleanly', () => {
    expect(PROFILES.map((p) => p.id)).toEqual([
      'strix-halo-128g',
      'xeon-2s-768g',
      'xeon-cxl-tiered',
      'ubuntu-2404-desktop-64g',
      'arm64-workstation',
      'small-laptop',
    ]);
    for (const p of PROFILES) {
      expect(parseProfile(p).ok, p.id).toBe(true);
      expect(
        report(new SimMachine(p)).diagnostics.filter((d) => d.problem !== 'missing'),
        p.id,
      ).toEqual([]);
    }
  });
});

describe('kernel semantics', () => {
  it('HVO moves the memmap counters by exactly 7 per 2 MiB page and 4,095 per 1 GiB page, and only for pages allocated while on', () => {
    const m = new SimMachine({ ...profile('strix-halo-128g'), fragmentation: 0 });
    const start = m.memmapPages();
    m.setPool(2048, [100]); // HVO off: no change
    expect(m.memmapPages()).toBe(start);
    m.setHvo(true);
    m.setPool(2048, [612]);
    m.setPool(1048576, [2]);
    expect(start - m.memmapPages()).toBe(512 * 7 + 2 * 4095);
    expect(report(m).hvo.memmapPages).toBe(m.memmapPages());
  });
  it('runtime pools fall short on fragmented memory; 1 GiB pages need boot or CMA', () => {
    const m = new SimMachine({ ...profile('ubuntu-2404-desktop-64g'), fragmentation: 0.9 });
    m.advance(86400);
    m.setPool(2048, [20000]);
    expect(m.pools.find((p) => p.sizeKiB === 2048)!.perNode[0]).toBeLessThan(20000);
    m.setPool(1048576, [8]);
    expect(m.pools.find((p) => p.sizeKiB === 1048576)!.perNode[0]).toBe(0);
    m.setCmdline(`${m.bootCmdline} hugepagesz=1G hugepages=8`);
    expect(m.pools.find((p) => p.sizeKiB === 1048576)!.perNode[0]).toBe(0); // not until a reboot
    m.reboot();
    expect(report(m).hugetlb.pools.find((p) => p.pageSizeKiB === 1048576)!.total).toBe(8);
  });
  it("khugepaged's pages_collapsed follows the collapses vmstat counts", () => {
    const m = new SimMachine(profile('xeon-2s-768g'));
    m.advance(3600);
    const r = report(m);
    expect(r.memory.vmstat!['thp_collapse_alloc']).toBeGreaterThan(0);
    expect(r.thp.khugepaged['pages_collapsed']).toBe(r.memory.vmstat!['thp_collapse_alloc']);
  });
  it('THP changes show at once; the boot line only after a reboot', () => {
    const m = new SimMachine(profile('small-laptop'));
    m.setThp('never');
    expect(report(m).thp.enabled).toBe('never');
    m.setCmdline('ro transparent_hugepage=madvise');
    expect(report(m).kernel.cmdline?.['transparent_hugepage']).toBeUndefined();
    m.reboot();
    expect(report(m).thp.enabled).toBe('madvise');
  });
  it('time is deterministic: same seed, same counters; heavy reclaim climbs by tens of millions per CPU an hour', () => {
    const a = new SimMachine(profile('xeon-cxl-tiered'));
    const b = new SimMachine(profile('xeon-cxl-tiered'));
    a.advance(3600);
    b.advance(3600);
    const ra = report(a);
    expect(ra.tlb.perCpu).toEqual(report(b).tlb.perCpu);
    expect(Math.min(...ra.tlb.perCpu.map((c) => c.count))).toBeGreaterThan(10_000_000);
  });
  it('the sampler sees simulated time like a live machine', () => {
    let now = 0;
    const m = new SimMachine(profile('xeon-cxl-tiered'));
    const files = new SimFiles(m, { clock: () => now, speed: 60 });
    const seen: { at: number; total: number; tlb: number | null }[] = [];
    const sampler = new Sampler(() => files, 1000, { timers: manualTimers() });
    const off = sampler.subscribe((s) => seen.push({ at: s.at, total: s.tlbTotal!, tlb: s.rates.tlb }));
    now = 1000; // one real second = one simulated minute
    sampler.tick();
    off();
    expect(seen[1]!.at - seen[0]!.at).toBe(60_000);
    expect(seen[1]!.total).toBeGreaterThan(seen[0]!.total);
    expect(seen[0]!.tlb).toBeNull();
    expect(seen[1]!.tlb).toBeCloseTo((seen[1]!.total - seen[0]!.total) / 60, 0);
  });
});

describe('a copy of a simulated machine', () => {
  it('starts with the tree already written for the same second, the one its own machine writes', () => {
    let now = 5_000;
    const m = new SimMachine(profile('xeon-2s-768g'));
    m.advance(3600);
    const base = new SimFiles(m, { clock: () => now });
    const copy = base.fork();
    const paths = ['/proc/interrupts', '/proc/meminfo', '/proc/vmstat', '/sys/kernel/mm/transparent_hugepage/enabled'];
    const shared = paths.map((p) => copy.read(p));
    copy.changed(); // written again, from the copy's own machine
    expect(paths.map((p) => copy.read(p))).toEqual(shared);
    // A second later each writes its own again, and they still agree.
    now += 1000;
    expect(paths.map((p) => copy.read(p))).toEqual(paths.map((p) => base.read(p)));
  });
});

describe('copies of one simulated machine', () => {
  it('read the same tree as the original while neither is changed, and their own once one is', async () => {
    let now = 5_000;
    const m = new SimMachine(profile('xeon-2s-768g'));
    m.advance(3600);
    const base = new SimFiles(m, { clock: () => now });
    const [a, b] = [base.fork(), base.fork()];
    const paths = ['/proc/interrupts', '/proc/vmstat', '/proc/sys/vm/hugetlb_optimize_vmemmap'];
    const read = (f: SimFiles) => paths.map((p) => f.read(p));
    for (let i = 0; i < 3; i++, now += 1000) {
      expect(read(a)).toEqual(read(base));
      expect(read(b)).toEqual(read(base));
    }
    const hvo = '/proc/sys/vm/hugetlb_optimize_vmemmap';
    const was = base.read(hvo);
    const other = was.kind === 'text' && was.text.trim() === '1' ? '0' : '1';
    // A setting written to one copy is in that copy only.
    expect((await new SimWriter(a).write(hvo, other)).after).toBe(other);
    expect(b.read(hvo)).toEqual(was);
    expect(base.read(hvo)).toEqual(was);
    // And one written to the original is not in a copy taken before it.
    expect((await new SimWriter(base).write(hvo, other)).after).toBe(other);
    expect(b.read(hvo)).toEqual(was);
    now += 1000; // and in the seconds after, when each writes its tree again
    expect(b.read(hvo)).toEqual(was);
    expect(read(b)).not.toEqual(read(base));
    // A copy taken after it has it.
    expect(base.fork().read(hvo)).toEqual({ kind: 'text', text: `${other}\n` });
  });
});

describe('simulated rates', () => {
  it('sampled over irregular intervals, every rate is the steady one, the first included', () => {
    const m = new SimMachine(profile('xeon-2s-768g'));
    const rate = SCENARIO_RATES[m.profile.scenario];
    // Each call to the clock takes 0.3 s, as a slow read would: the time stamp and the files read after it must
    // still describe the same moment.
    let now = 0;
    const files = new SimFiles(m, { clock: () => (now += 300) });
    const sampler = new Sampler(() => files, 2000, { timers: manualTimers() });
    const seen: HostSample[] = [];
    const off = sampler.subscribe((s) => seen.push(s));
    for (const gap of [2100, 1700, 2900, 2050, 3300, 900]) {
      now += gap;
      sampler.tick();
    }
    off();
    // The steady TLB rate: counts over an hour of simulated time.
    const hour = (at: number) =>
      buildReport(readHost(MemoryFiles.fromTexts(files.source, writeTree(m, at)))).tlb.total!;
    const steady = (hour(3700) - hour(100)) / 3600;
    const cpus = m.profile.nodes.reduce((a, n) => a + n.cpus, 0);
    const live = seen.filter((s) => s.seconds !== null);
    expect(live.length).toBe(6);
    for (const s of live) {
      expect(s.rates.migrate).toBe(rate.migrate);
      expect(s.rates.thpFault).toBe(rate.thpFault);
      // Each CPU's count is a whole number: at most one count per CPU off over the interval.
      expect(Math.abs(s.rates.tlb! - steady)).toBeLessThanOrEqual(cpus / s.seconds!);
    }
  });
});

describe('--sim on the command line', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  it('lists, shows and uses profiles; a saved, edited profile file works the same way', () => {
    expect(run('sim', 'list').stdout).toMatch(/xeon-cxl-tiered\s+one-socket 64-core Xeon/);
    const shown = JSON.parse(run('sim', 'show', 'xeon-2s-768g').stdout) as Profile;
    const file = join(tmp, 'bigger.json');
    const bigger: Profile = {
      ...shown,
      id: 'bigger',
      nodes: [
        { memGiB: 1024, cpus: 64 },
        { memGiB: 1024, cpus: 64 },
      ],
    };
    writeFileSync(file, JSON.stringify(bigger));
    const r = JSON.parse(run('report', '--json', '--sim', file).stdout) as ReturnType<typeof report>;
    expect(r.memory.totalKiB).toBe(new SimMachine(bigger).memTotalKiB());
    expect(r.hugetlb.pools.find((p) => p.pageSizeKiB === 1048576)!.total).toBe(380);
    const plan = JSON.parse(
      run('plan', '--json', '--sim', 'xeon-2s-768g', '--model', 'deepseek-r1-671b', '--page-size', '1G').stdout,
    ) as { fits: boolean };
    expect(plan.fits).toBe(true);
  });
  it('--set edits a simulated machine from the command line', () => {
    const r = JSON.parse(
      run(
        'report',
        '--json',
        '--sim',
        'xeon-2s-768g',
        '--set',
        'mem-gib=1024,1024',
        '--set',
        'thp=never',
        '--set',
        'pool-2m=1000',
        '--set',
        'release=6.8.0-45-generic',
      ).stdout,
    ) as ReturnType<typeof report>;
    const edited = applyEdits(profile('xeon-2s-768g'), {
      memGiB: [1024, 1024],
      thp: 'never',
      pool2m: 1000,
      release: '6.8.0-45-generic',
    });
    if (!edited.ok) throw new Error(edited.error);
    expect(r.memory.totalKiB).toBe(new SimMachine(edited.value).memTotalKiB());
    expect(r.thp.enabled).toBe('never');
    expect(r.hugetlb.pools.find((p) => p.pageSizeKiB === 2048)!.nodes.map((n) => n.total)).toEqual([500, 500]);
    expect(r.findings.map((f) => f.id)).toEqual(expect.arrayContaining(['thp-never', 'thp-alignment-regression']));
    for (const [args, message] of [
      [['--sim', 'small-laptop', '--set', 'thp=sometimes'], /thp=sometimes: expected always, madvise or never/],
      [['--set', 'thp=never'], /add --sim PROFILE/],
      [['--sim', 'small-laptop', '--set', 'cores=8'], /unknown setting 'cores'/],
    ] as const) {
      const bad = run('report', ...args);
      expect(bad.status).toBe(2);
      expect(bad.stderr).toMatch(message);
    }
    expect(run('report', '--sim', 'small-laptop', '--set', 'mem-gib=1,2').stderr).toMatch(/1 node, 2 sizes given/);
  });
  it('an unknown profile or a broken file is refused in one line', () => {
    // An id no built-in profile has is a usage error that lists the ids.
    const unknown = run('report', '--sim', 'cray-1');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(
      /^hugetune: --sim cray-1: unknown profile; expected one of strix-halo-128g, .*, small-laptop \(hugetune sim list describes them\) or a profile FILE\.json\n$/,
    );
    const show = run('sim', 'show', 'cray-1');
    expect(show.status).toBe(2);
    expect(show.stderr).toMatch(/^hugetune: sim show cray-1: unknown profile; expected one of strix-halo-128g, /);
    const file = join(tmp, 'bad.json');
    writeFileSync(file, JSON.stringify({ ...profile('small-laptop'), nodes: [] }));
    expect(run('report', '--sim', file).stderr).toMatch(
      /not a machine profile: nodes: expected an array of 1 to 64 items, got an empty array/,
    );
    const cases: [Partial<Profile>, RegExp][] = [
      [{ pools: [{ sizeKiB: 1048576, perNode: [1] }], pdpe1gb: false }, /no 1048576 kB pages/],
      [
        {
          nodes: [
            { memGiB: 64, cpus: 4096 },
            { memGiB: 64, cpus: 4096 },
            { memGiB: 64, cpus: 4096 },
          ],
        },
        /more than the 8192/,
      ],
      [{ cmdline: 'ro "open' }, /unterminated quote/],
    ];
    for (const [edit, message] of cases) {
      writeFileSync(file, JSON.stringify({ ...profile('small-laptop'), ...edit }));
      const r = run('report', '--sim', file);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(message);
    }
    expect(run('report', '--sim', 'small-laptop', '--root', '/').status).toBe(2);
  });
});

describe('recommended settings on a simulated machine', () => {
  it('turns HVO on and re-reserves the pool so its pages are optimized', () => {
    const m = new SimMachine(profile('ubuntu-2404-desktop-64g'));
    const before = m.memmapPages();
    const steps = applyRecommended(m);
    expect(steps.join('\n')).toMatch(/HVO on/);
    const pool = m.pools.find((p) => p.sizeKiB === 2048)!;
    expect(pool.optimized).toEqual(pool.perNode);
    expect(before - m.memmapPages()).toBe(pool.perNode[0]! * 7);
    expect(report(m).findings.map((f) => f.id)).not.toContain('hvo-off-with-pools');
  });
  it('the API opens a what-if machine, and refuses a broken one', async () => {
    const source = new ActiveSource(simFiles(new SimMachine(profile('small-laptop'))));
    const h = createHandlers(source, 'web');
    expect(await dispatch(h, 'source.openSim', { profile: profile('xeon-cxl-tiered') })).toMatchObject({
      ok: true,
      value: { current: { kind: 'sim' } },
    });
    const bad = await dispatch(h, 'source.openSim', {
      profile: { ...profile('small-laptop'), pools: [{ sizeKiB: 2048, perNode: [1, 2] }] },
    });
    expect(bad).toMatchObject({
      ok: false,
      error: { code: 'bad-request', message: expect.stringMatching(/one count per node/) as unknown },
    });
  });
});
