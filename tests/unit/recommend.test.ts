/** The advisor: the seed cases, and properties of the merged change list over random machines and plans. */
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSim } from '../../electron/host/sim-source';
import { adviceRequestSchema, runAdvice, type AdviceRequest } from '../../shared/advise/request';
import { validate } from '../../shared/validate';
import { refuse } from '../../shared/advise/settings';
import { readHost } from '../../shared/host/read/index';
import { buildReport } from '../../shared/host/report';
import { runPlan } from '../../shared/plan/request';
import { PROFILES } from '../../shared/sim/profiles';
import { fixtureFiles, VM, VM_TUNED } from '../helpers';

const sim = (id: string) => buildReport(readHost(openSim(id)));
const ids = (a: { recommendations: { id: string }[] }) => a.recommendations.map((r) => r.id);

describe('the seed cases', () => {
  it('128 GiB Strix Halo: a 2 MiB pool with HVO turns a 568 MiB shortfall into a fit', () => {
    const r = sim('strix-halo-128g');
    const req: AdviceRequest = { footprintMiB: 127910, availableMiB: 127342, reserveMiB: 0, pageSize: '2M' };
    const without = runPlan({ ...req, hvo: false }, r);
    expect(without.fits).toBe(false);
    expect(Math.round(-without.marginMiB)).toBe(569);
    const a = runAdvice(req, r);
    expect(a.plan?.fits).toBe(true);
    expect(ids(a)).toEqual(expect.arrayContaining(['hvo-on', 'pool']));
    // HVO first, then the pool: only pages allocated while HVO is on are optimized.
    const writes = a.changes.filter((c) => c.kind === 'write');
    expect(writes[0]).toMatchObject({ path: '/proc/sys/vm/hugetlb_optimize_vmemmap', value: '1', before: '0' });
    expect(writes[1]).toMatchObject({ path: '/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages', value: '63955' });
  });
  it('DeepSeek-R1 on a 2-socket box: 1 GiB pages per node at boot, the default size for ik_llama.cpp', () => {
    const a = runAdvice({ model: 'deepseek-r1-671b', quant: 'Q4_K_M', pageSize: '1G', memGiB: 768, nodes: 2 }, null);
    expect(a.plan?.fits).toBe(true);
    const pool = a.recommendations.find((x) => x.id === 'pool-at-boot')!;
    expect(pool.needsReboot).toBe(true);
    const boot = a.changes.find((c) => c.kind === 'boot');
    expect(boot).toMatchObject({
      set: expect.arrayContaining([
        { key: 'default_hugepagesz', value: '1G' },
        { key: 'hugepagesz', value: '1G' },
        { key: 'hugepages', value: '0:190,1:189' },
      ]) as unknown,
    });
    expect(a.recommendations.find((x) => x.id === 'launch')?.commands?.[0]).toMatch(
      /^numactl --interleave=all llama-server -m MODEL\.gguf -c 8192 -thp$/,
    );
  });
  it('llama.cpp on DRAM + CXL with demotion on: keep model memory out of tier migration', () => {
    const a = runAdvice({ model: 'llama-3.1-8b', quant: 'Q8_0' }, sim('xeon-cxl-tiered'));
    const t = a.recommendations.find((x) => x.id === 'tiering-off-while-serving')!;
    expect(t.changes).toEqual([
      { kind: 'write', path: '/sys/kernel/mm/numa/demotion_enabled', value: 'false', before: 'true' },
      { kind: 'write', path: '/proc/sys/kernel/numa_balancing', value: '0', before: '2' },
    ]);
    expect(a.plan?.perNode.every((n) => !n.slow)).toBe(true);
  });
  it('a plan that does not fit gets no pool and no HVO step, but says what fails and what would fit', () => {
    const a = runAdvice({ model: 'llama-3.3-70b', quant: 'Q8_0', pageSize: '2M', memGiB: 32 }, null);
    expect(a.plan?.fits).toBe(false);
    const c = a.recommendations.find((x) => x.id === 'plan-does-not-fit')!;
    expect(c.severity).toBe('critical');
    expect(c.reason).toMatch(/What would fit: .*--quant/);
    expect(a.changes.filter((x) => x.kind === 'write' || x.kind === 'boot')).toEqual([]);
  });
  it('a parameter already on the boot line is not proposed again', () => {
    const r = sim('xeon-2s-768g');
    const a = runAdvice({ model: 'deepseek-r1-671b', quant: 'Q4_K_M', pageSize: '1G' }, r);
    const pool = a.recommendations.find((x) => x.id === 'pool-at-boot')!;
    expect(pool.title).toMatch(/The 380 × 1G pool is already reserved at boot; add default_hugepagesz=1G$/);
    expect(a.changes).toEqual([{ kind: 'boot', set: [{ key: 'default_hugepagesz', value: '1G' }], remove: [] }]);
  });
  it('a pool reserved at boot gets hugetlb_free_vmemmap=on: the sysctl comes too late for boot-time pages', () => {
    const a = runAdvice({ model: 'llama-3.3-70b', pageSize: '1G' }, sim('strix-halo-128g'));
    const boot = a.changes.find((c) => c.kind === 'boot');
    expect(boot?.kind === 'boot' && boot.set).toEqual(
      expect.arrayContaining([
        { key: 'hugepagesz', value: '1G' },
        { key: 'hugepages', value: '40' },
        { key: 'hugetlb_free_vmemmap', value: 'on' },
      ]),
    );
    expect(a.artifacts.bootCmdline?.text).toMatch(/hugetlb_free_vmemmap=on/);
    // The Planner's setup lines and the advice say the same boot line.
    const pool = a.recommendations.find((x) => x.id === 'pool-at-boot')!;
    expect(pool.changes).toEqual([{ kind: 'boot', set: a.plan!.bootParams, remove: [] }]);
    expect(a.plan!.commands.join('\n')).toContain(
      'default_hugepagesz=1G hugepagesz=1G hugepages=40 hugetlb_free_vmemmap=on',
    );
  });
  it('no hugetlb_free_vmemmap where HVO cannot exist (arm64 since 6.3) or the plan has it off', () => {
    const words = (req: AdviceRequest) =>
      runAdvice(req, null).changes.flatMap((c) => (c.kind === 'boot' ? c.set.map((x) => x.key) : []));
    const arm = { model: 'llama-3.3-70b', pageSize: '1G', memGiB: 128, arch: 'arm64', kernel: '6.12' } as const;
    expect(words(arm)).toContain('hugepagesz');
    expect(words(arm)).not.toContain('hugetlb_free_vmemmap');
    expect(words({ ...arm, arch: 'x86_64' })).toContain('hugetlb_free_vmemmap');
    expect(words({ ...arm, arch: 'x86_64', hvo: false })).not.toContain('hugetlb_free_vmemmap');
  });
  it('a pool already at boot without HVO there: only hugetlb_free_vmemmap=on is added', () => {
    const r = sim('xeon-2s-768g');
    const cmdline = { ...r.kernel.cmdline };
    delete cmdline['hugetlb_free_vmemmap'];
    const a = runAdvice(
      { model: 'deepseek-r1-671b', quant: 'Q4_K_M', pageSize: '1G' },
      { ...r, kernel: { ...r.kernel, cmdline } },
    );
    const pool = a.recommendations.find((x) => x.id === 'pool-at-boot')!;
    expect(pool.needsReboot).toBe(true);
    expect(pool.changes).toEqual([
      {
        kind: 'boot',
        set: [
          { key: 'default_hugepagesz', value: '1G' },
          { key: 'hugetlb_free_vmemmap', value: 'on' },
        ],
        remove: [],
      },
    ]);
  });
  it('the machine alone: HVO for a pool reserved with it off, THP off → madvise', () => {
    const a = runAdvice({}, buildReport(readHost(fixtureFiles(VM_TUNED))));
    expect(a.plan).toBeNull();
    expect(ids(a)).not.toContain('launch');
    const plain = runAdvice({}, buildReport(readHost(fixtureFiles(VM))));
    expect(plain.changes.every((c) => c.kind !== 'write' || refuse(c.path, c.value) === null)).toBe(true);
  });
  it('anonymous weights: THP always, the PMD size not switched off on its own, no stalls on every fault', () => {
    const base = sim('ubuntu-2404-desktop-64g');
    const r = {
      ...base,
      thp: {
        ...base.thp,
        enabled: 'madvise',
        defrag: 'always',
        khugepaged: { ...base.thp.khugepaged, defrag: 0 },
        sizes: base.thp.sizes.map((x) => (x.sizeKiB === 2048 ? { ...x, enabled: 'never', effective: 'never' } : x)),
      },
    };
    const a = runAdvice({ model: 'llama-3.1-8b', noMmap: true }, r);
    const thp = a.recommendations.find((x) => x.id === 'thp-always-for-anonymous-weights')!;
    expect(thp.changes.map((c) => (c.kind === 'write' ? `${c.path}=${c.value}` : ''))).toEqual([
      '/sys/kernel/mm/transparent_hugepage/enabled=always',
      '/sys/kernel/mm/transparent_hugepage/hugepages-2048kB/enabled=inherit',
      '/sys/kernel/mm/transparent_hugepage/defrag=defer+madvise',
      '/sys/kernel/mm/transparent_hugepage/khugepaged/defrag=1',
    ]);
    expect(thp.reason).toMatch(/switched off on its own/);
  });
  it('inside a container, a cgroup HugeTLB limit smaller than the pool the plan needs is critical', () => {
    const root = mkdtempSync(join(tmpdir(), 'hugetune-cgroup-'));
    try {
      cpSync(VM, root, { recursive: true });
      mkdirSync(join(root, 'sys/fs/cgroup'), { recursive: true });
      writeFileSync(join(root, 'sys/fs/cgroup/hugetlb.2MB.max'), '1073741824\n');
      writeFileSync(join(root, 'sys/fs/cgroup/hugetlb.2MB.current'), '0\n');
      writeFileSync(join(root, 'sys/fs/cgroup/hugetlb.1GB.max'), 'max\n');
      const r = buildReport(readHost(fixtureFiles(root)));
      expect(r.cgroup.hugetlb).toEqual([
        { pageSizeKiB: 2048, maxBytes: 1073741824, currentBytes: 0 },
        { pageSizeKiB: 1048576, maxBytes: null, currentBytes: null },
      ]);
      const a = runAdvice({ footprintMiB: 4096, pageSize: '2M' }, r);
      const c = a.recommendations.find((x) => x.id === 'cgroup-hugetlb-limit')!;
      expect(c.severity).toBe('critical');
      expect(c.evidence[0]).toEqual({ path: '/sys/fs/cgroup/hugetlb.2MB.max', value: '1073741824' });
      expect(runAdvice({ footprintMiB: 512, pageSize: '2M' }, r).recommendations.map((x) => x.id)).not.toContain(
        'cgroup-hugetlb-limit',
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
  it('--mlock asks for a memlock limit, for the service or user named', () => {
    const a = runAdvice({ model: 'llama-3.1-8b', mlock: true, memGiB: 64, unit: 'llama.service', user: 'llm' }, null);
    expect(a.changes.filter((c) => c.kind === 'memlock')).toEqual([
      { kind: 'memlock', scope: 'service', name: 'llama.service', limit: 'infinity' },
      { kind: 'memlock', scope: 'user', name: 'llm', limit: 'infinity' },
    ]);
  });
});

describe('the launch line', () => {
  const launch = (modelPath: string) =>
    runAdvice({ model: 'llama-3.3-70b', pageSize: '1G', memGiB: 128, modelPath }, null).recommendations.find(
      (x) => x.id === 'launch',
    )!.commands![0]!;
  it.each(['/models/my model.gguf', "/models/it's.gguf", '/models/$HOME `x` "q" \\ ; & | < > *.gguf'])(
    'quotes the model path %j so the shell reads it back as one word',
    (path) => {
      const line = launch(path);
      const back = spawnSync('sh', ['-c', `set -- ${line}; printf %s "$3"`], { encoding: 'utf8' });
      expect(back.stdout).toBe(path);
    },
  );
  it('uses POSIX single-quote escaping, and leaves a plain path as it is', () => {
    expect(launch("/models/it's.gguf")).toContain(`-m '/models/it'\\''s.gguf' -c`);
    expect(launch('/models/plain-1.gguf')).toContain('-m /models/plain-1.gguf -c');
  });
  it('takes any path but one with a control character, and says why', () => {
    const check = (modelPath: string) => validate(adviceRequestSchema, { modelPath });
    expect(check("/models/it's my model.gguf").ok).toBe(true);
    expect(check('/models/a\nb.gguf')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^modelPath: expected a model file path on one line \(control/) as unknown,
    });
  });
});

describe('wording per front end', () => {
  const texts = (a: ReturnType<typeof runAdvice>) =>
    [
      ...a.recommendations.flatMap((x) => [x.title, x.reason]),
      ...(a.plan?.constraints.map((c) => c.message) ?? []),
      ...(a.plan?.commands ?? []),
    ].join('\n');
  it('the app names its controls by their labels, the command line by its flags', () => {
    const r = sim('xeon-2s-768g');
    const req: AdviceRequest = { model: 'deepseek-r1-671b', quant: 'Q4_K_M', pageSize: '2M' };
    const cli = texts(runAdvice(req, r));
    expect(cli).toMatch(/release them \(--release-pools\)/);
    expect(cli).toMatch(/What would fit: release the pools of other sizes \(--release-pools\)/);
    const app = texts(runAdvice(req, r, undefined, 'dev', null, 'app'));
    expect(app).toMatch(/release them \(“Release pools of other sizes”\)/);
    expect(app).not.toMatch(/--release-pools|--quant|--page-size|--hvo/);
    const fits = { model: 'llama-3.1-8b', quant: 'Q8_0', mlock: true, memGiB: 64, releasePools: false } as const;
    expect(texts(runAdvice(fits, null))).toMatch(/Name the service \(--unit\) or the user \(--user\)/);
    expect(texts(runAdvice(fits, null, undefined, 'dev', null, 'app'))).toMatch(
      /Name the service \(“Its systemd unit”\) or the user \(“User running the server”\)/,
    );
  });
  it("the Planner's setup lines name the app's control for a pool they keep", () => {
    const r = sim('xeon-2s-768g');
    const req = { footprintMiB: 10000, pageSize: '2M' } as const;
    expect(runPlan(req, r).commands.join('\n')).toMatch(/\(--release-pools frees it\)/);
    const app = runPlan(req, r, undefined, 'app');
    expect(app.commands.join('\n')).toMatch(/\(“Release pools of other sizes” frees it\)/);
    expect(app.breakdown.map((t) => t.source)).toContain('“Footprint size”');
    const cache = runPlan({ model: 'llama-3.1-8b', reserveMiB: 2048 }, r, undefined, 'app');
    // --cache-ram is llama-server's own flag; hugetune's flags are what the app has no use for.
    expect(JSON.stringify([cache.breakdown, cache.constraints])).not.toMatch(/--cache-ram-mib|--reserve-mib/);
  });
});

describe('the merged change list', () => {
  const request = fc.record(
    {
      model: fc.constantFrom('llama-3.1-8b', 'llama-3.3-70b', 'deepseek-r1-671b', 'gpt-oss-120b'),
      pageSize: fc.constantFrom('base', '2M', '1G'),
      numa: fc.constantFrom('interleave', 'bind'),
      noMmap: fc.boolean(),
      mlock: fc.boolean(),
      releasePools: fc.boolean(),
      slowTier: fc.boolean(),
      runtime: fc.constantFrom('llama.cpp', 'ik_llama.cpp', 'ollama', 'vllm-cpu', 'ktransformers'),
    },
    { requiredKeys: ['model'] },
  );
  const reports = PROFILES.map((p) => sim(p.id));
  it('writes each file once, only allowed values, HVO before pools, shrinks before grows; no boot parameter twice', () => {
    fc.assert(
      fc.property(request, fc.nat(reports.length - 1), (req, k) => {
        const r = reports[k]!;
        const a = runAdvice(req, r);
        const writes = a.changes.flatMap((c) => (c.kind === 'write' ? [c] : []));
        expect(new Set(writes.map((w) => w.path)).size).toBe(writes.length);
        for (const w of writes) expect(refuse(w.path, w.value)).toBeNull();
        const hvo = writes.findIndex((w) => w.path.endsWith('hugetlb_optimize_vmemmap'));
        const firstPool = writes.findIndex((w) => w.path.endsWith('/nr_hugepages'));
        if (hvo >= 0 && firstPool >= 0) expect(hvo).toBeLessThan(firstPool);
        const pools = writes.filter((w) => w.path.endsWith('/nr_hugepages'));
        const shrink = pools.map((w) => Number(w.value) < Number(w.before ?? 0));
        expect(shrink).toEqual([...shrink].sort((x, y) => Number(y) - Number(x)));
        const boots = a.changes.filter((c) => c.kind === 'boot');
        expect(boots.length).toBeLessThanOrEqual(1);
        const single = boots.flatMap((b) => b.set.filter((x) => x.key !== 'hugepagesz' && x.key !== 'hugepages'));
        expect(new Set(single.map((x) => x.key)).size).toBe(single.length);
        // Every change belongs to a recommendation that says why.
        for (const rec of a.recommendations) {
          expect(rec.reason.length).toBeGreaterThan(20);
          expect(rec.reference.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 120 },
    );
  });
});
