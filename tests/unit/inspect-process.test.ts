/**
 * The inspector against real processes this test starts: a pattern of differently sized anonymous mappings,
 * memory asked for THP with madvise(MADV_HUGEPAGE), a process that exits, a process renamed as a model
 * server, and the same process through a snapshot. What the kernel grants depends on this machine's THP
 * setting: the assertions compare with what the kernel reports, never with an assumed setting.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsFiles } from '../../electron/host/fs-files';
import { inspectProcess, listProcesses } from '../../electron/host/inspect/inspect';
import { probeAlignment } from '../../electron/host/inspect/probe';
import { captureSnapshot } from '../../electron/host/snapshot-io';
import { CAPTURE_PROCESS_FILES } from '../../shared/host/capture-spec';
import { MemoryFiles, type FileRead, type HostFiles } from '../../shared/host/files';
import { PMD_BYTES } from '../../shared/host/process/layout';
import { snapshotFiles } from '../../shared/host/snapshot';
import { UserError } from '../../shared/errors';
import { CLI, REPO } from '../helpers';
import { buildHelper, runHelper, type Helper, type Running } from '../process-helper';

const live = new FsFiles({ kind: 'live', label: 'this machine' }, '/');
const uid = process.getuid?.() ?? null;
const built = buildHelper();
const helper: Helper | null = typeof built === 'string' ? null : built;
const noHelper = typeof built === 'string' ? built : '';
const running: Running[] = [];
let tmp = '';

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'hugetune-inspect-'));
});
afterAll(async () => {
  await Promise.all(running.map((r) => r.stop()));
  helper?.remove();
  rmSync(tmp, { recursive: true, force: true });
});

async function start(args: string[], argv0?: string): Promise<Running> {
  const r = await runHelper(helper!, args, argv0);
  running.push(r);
  return r;
}

/** AnonHugePages summed from /proc/PID/smaps by a regex: a second, independent reading of the kernel's account. */
function anonHugeFromSmaps(pid: number): number {
  const text = readFileSync(`/proc/${pid}/smaps`, 'utf8');
  return [...text.matchAll(/^AnonHugePages:\s+(\d+) kB$/gm)].reduce((a, m) => a + Number(m[1]), 0);
}

const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: REPO });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('a process with differently sized anonymous mappings', () => {
  // Sizes in KiB: odd lengths above 2 MiB, exact multiples, and smaller ones.
  const sizes = [4632, 3072, 2048, 6144, 1024, 8196, 512, 10240];

  it('every mapping appears with the size asked for, and its alignment as its address says', async (ctx) => {
    ctx.skip(helper === null, noHelper);
    const r = await start(['pattern', ...sizes.map(String)]);
    expect(r.failed).toBe(null);
    const d = inspectProcess(live, r.pid, { uid });
    for (const m of r.maps) {
      const row = d.vmas.find((v) => parseInt(v.start, 16) === m.address);
      expect(row, `mapping at ${m.address.toString(16)}`).toBeDefined();
      expect(row!.sizeKiB).toBe(m.sizeKiB);
      expect(row!.aligned).toBe(m.address % PMD_BYTES === 0);
      expect(row!.pmdMultiple).toBe((m.sizeKiB * 1024) % PMD_BYTES === 0);
    }
    const large = r.maps.filter((m) => m.sizeKiB >= 2048);
    expect(d.vma!.anonCount).toBeGreaterThanOrEqual(sizes.length);
    expect(d.vma!.largeCount).toBeGreaterThanOrEqual(large.length);
    // The helper's own mappings of 2 MiB or more that start aligned are counted among the aligned ones.
    const alignedHere = large.filter((m) => m.address % PMD_BYTES === 0).length;
    expect(d.vma!.alignedCount).toBeGreaterThanOrEqual(alignedHere);
    expect(d.rssKiB).toBeGreaterThan(0);
    expect(d.pageTablesKiB).toBeGreaterThan(0);
    await r.stop();
  });

  it('the kernel’s placement of the odd lengths agrees with the alignment probe', async (ctx) => {
    ctx.skip(helper === null, noHelper);
    const r = await start(['pattern', '4632', '4632', '4632', '4632']);
    const probe = await probeAlignment();
    const alignedOdd = r.maps.filter((m) => m.address % PMD_BYTES === 0).length;
    // An affected kernel aligns all four; a fixed one aligns one at most by chance.
    if (probe.affected) expect(alignedOdd).toBe(4);
    else expect(alignedOdd).toBeLessThanOrEqual(1);
    await r.stop();
  });
});

describe('a process that asked for THP with madvise(MADV_HUGEPAGE)', () => {
  it('shows what the kernel granted, and the verdict follows it', async (ctx) => {
    ctx.skip(helper === null, noHelper);
    const r = await start(['madvise', '64']);
    expect(r.failed).toBe(null);
    const d = inspectProcess(live, r.pid, { uid });
    const kernelSays = anonHugeFromSmaps(r.pid);
    expect(d.anonHugeKiB).toBe(kernelSays);
    const thp = readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8');
    if (/\[never\]/.test(thp)) expect(d.anonHugeKiB).toBe(0);
    const ids = d.conditions.map((c) => c.id);
    expect(ids.includes('on-thp')).toBe(kernelSays > 0);
    expect(d.hugeShare).toBeCloseTo(kernelSays / (d.rssKiB! + d.hugetlbKiB!), 6);
    // The madvised region is one 64 MiB anonymous mapping on a 2 MiB boundary.
    const row = d.vmas.find(
      (v) => parseInt(v.start, 16) <= r.maps[0]!.address && parseInt(v.end, 16) > r.maps[0]!.address,
    );
    expect(row).toBeDefined();
    // With smaps on request, the per-VMA view agrees with the rollup.
    const full = inspectProcess(live, r.pid, { uid, smaps: true });
    expect(full.anonHugeKiB).toBe(kernelSays);
    expect(full.smaps!.vmas).toBeGreaterThan(0);
    await r.stop();
  });
});

describe('processes that come and go', () => {
  it('a process renamed as a model server is found in the list, and gone once it exits', async (ctx) => {
    ctx.skip(helper === null, noHelper);
    const r = await start(['pattern', '4096'], 'llama-server');
    const list = listProcesses(live, { uid });
    // The machine figures the verdicts rest on come with the list, as the kernel shows them.
    const thp = /\[(\w+)\]/.exec(readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8'))?.[1] ?? null;
    expect(list.machine.thpEnabled).toBe(thp);
    const found = list.processes.find((p) => p.pid === r.pid);
    expect(found).toMatchObject({ runtime: 'llama.cpp', runtimeId: 'llama.cpp' });
    expect(found!.command.startsWith('llama-server pattern 4096')).toBe(true);
    await r.stop();
    expect(() => inspectProcess(live, r.pid, { uid })).toThrow(UserError);
    expect(() => inspectProcess(live, r.pid, { uid })).toThrow(/no such process \(or it exited while being read\)/);
    expect(listProcesses(live, { uid }).processes.some((p) => p.pid === r.pid)).toBe(false);
  });

  it('a process that exits between two reads is reported gone, not half-read', () => {
    // The files of PID 4242 vanish after status has been read once: an exit in the middle of the reading.
    let reads = 0;
    const status = 'Name:\tllama-server\nPid:\t4242\nUid:\t0\t0\t0\t0\nVmRSS:\t 100 kB\nVmPTE:\t 12 kB\n';
    const files: HostFiles = {
      source: { kind: 'live', label: 'this machine' },
      read(path: string): FileRead {
        if (path === '/proc/4242/status') return reads++ === 0 ? { kind: 'text', text: status } : { kind: 'missing' };
        if (path.startsWith('/proc/4242/')) return { kind: 'missing' };
        return live.read(path);
      },
      list: (d) => live.list(d),
    };
    expect(() => inspectProcess(files, 4242, { uid })).toThrow(/process 4242: no such process/);
  });

  it('the CLI compares a process with a plan, and explains itself with --help', async (ctx) => {
    ctx.skip(helper === null, noHelper);
    const r = await start(['pattern', '4096'], 'llama-server');
    // Planned for ik_llama.cpp, which maps a pool with -thp: the process was not started that way.
    const ik = ['--footprint-mib', '64', '--page-size', '2M', '--runtime', 'ik_llama.cpp'];
    const out = cli('inspect', '--pid', String(r.pid), ...ik, '--json');
    expect(out.code).toBe(0);
    const j = JSON.parse(out.out) as {
      processes: { pid: number }[];
      plan: { rows: { what: string; ok: boolean; plannedKiB: number; gotKiB: number }[]; ok: boolean };
    };
    expect(j.processes[0]!.pid).toBe(r.pid);
    const pages = j.plan.rows.find((x) => x.what === 'HugeTLB 2 MiB pages')!;
    expect(pages).toMatchObject({ gotKiB: 0, ok: false });
    expect(j.plan.ok).toBe(false);
    const text = cli('inspect', '--pid', String(r.pid), ...ik);
    expect(text.out).toMatch(/Against the plan \(.*\): differs/);
    // Planned for what the process runs (llama.cpp, no HugeTLB path): compared on THP, never told to reserve.
    const own = cli('inspect', '--pid', String(r.pid), '--footprint-mib', '64', '--page-size', '2M', '--json');
    const mine = JSON.parse(own.out) as { plan: { plan: { runtime: string }; rows: { what: string }[] } };
    expect(mine.plan.plan.runtime).toBe('llama.cpp');
    expect(mine.plan.rows.map((x) => x.what)).toContain('memory on transparent huge pages');
    expect(mine.plan.rows.map((x) => x.what)).not.toContain('HugeTLB 2 MiB pages');
    expect(cli('inspect', '--pid', String(r.pid), '--footprint-mib', '64', '--page-size', '2M').out).toMatch(
      /llama.cpp has no HugeTLB path/,
    );
    expect(cli('inspect', '--pid', String(r.pid), '--footprint-mib', '99999999').err).toMatch(
      /the plan needs 97,656.2 GiB, more than this machine's/,
    );
    expect(cli('inspect', '--footprint-mib', '64').err).toMatch(/a plan is compared with one process: add --pid PID/);
    expect(cli('inspect', '--help').out).toMatch(/^Usage: hugetune inspect/);
    expect(cli('help', 'probe-alignment').out).toMatch(/^Usage: hugetune probe-alignment/);
    await r.stop();
  });

  it('bad PIDs and gone processes are one line from the CLI, exit 2 and 1', () => {
    const bad = cli('inspect', '--pid', 'abc');
    expect(bad.code).toBe(2);
    expect(bad.err).toBe('hugetune: --pid abc: expected a process id, a whole number from 1 to 4,194,304\n');
    expect(cli('inspect', '--pid', '99999999').err).toBe(
      'hugetune: --pid 99999999: expected a process id, a whole number from 1 to 4,194,304\n',
    );
    const gone = cli('inspect', '--pid', '4194304');
    expect(gone.code).toBe(1);
    expect(gone.err.trim().split('\n')).toHaveLength(1);
    expect(gone.err).toMatch(/process 4194304: no such process/);
    expect(cli('inspect', '--smaps').code).toBe(2);
  });

  it('a simulated machine is said to run no processes, with no PID to suggest', () => {
    const list = cli('inspect', '--sim', 'small-laptop');
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/No processes to inspect\./);
    expect(list.out).toMatch(/is simulated and runs no processes/);
    expect(list.out).not.toMatch(/--pid/);
  });
});

describe('privileges and kernels without the files', () => {
  const status = (uidOf: number) =>
    `Name:\tllama-server\nPid:\t77\nUid:\t${uidOf}\t${uidOf}\t${uidOf}\t${uidOf}\nVmRSS:\t 2048 kB\nVmPTE:\t 16 kB\nVmLck:\t 0 kB\n`;
  const tree = (extra: Record<string, FileRead>): MemoryFiles =>
    new MemoryFiles(
      { kind: 'snapshot', label: 'test tree' },
      new Map<string, FileRead>([
        ['/proc/77/status', { kind: 'text', text: status(1000) }],
        ['/proc/77/cmdline', { kind: 'text', text: 'llama-server\0-m\0a.gguf\0' }],
        ['/proc/77/comm', { kind: 'text', text: 'llama-server\n' }],
        ...Object.entries(extra),
      ]),
    );

  it('another user’s process: what needs root is named, and no verdict is made up', () => {
    const denied: FileRead = { kind: 'denied' };
    const files = tree({ '/proc/77/smaps_rollup': denied, '/proc/77/numa_maps': denied, '/proc/77/maps': denied });
    const d = inspectProcess(files, 77, { uid: 1001 });
    expect(d.hugeShare).toBe(null);
    expect(d.verdict).toMatch(/^not readable: /);
    expect(d.unavailable.join('\n')).toMatch(/smaps_rollup: needs root or user 1000/);
    expect(d.unavailable.join('\n')).toMatch(/numa_maps: needs root or user 1000/);
    expect(d.vma).toBe(null);
    const list = listProcesses(files, { uid: 1001 });
    expect(list.processes).toHaveLength(1);
    expect(list.notes.join(' ')).toMatch(/belong to other users: their memory figures need root/);
  });

  it('a real unprivileged user sees root’s process listed without figures, and is told what needs root', async (ctx) => {
    ctx.skip(helper === null, noHelper);
    ctx.skip(uid !== 0, 'needs root to start a process as another user (nobody)');
    const setpriv = spawnSync('sh', ['-c', 'command -v setpriv'], { encoding: 'utf8' });
    ctx.skip(setpriv.status !== 0, 'no setpriv to run the CLI as nobody');
    const r = await start(['pattern', '4096'], 'llama-server');
    const asNobody = spawnSync(
      'setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        process.execPath,
        CLI,
        'inspect',
        '--pid',
        String(r.pid),
        '--json',
      ],
      { encoding: 'utf8', cwd: tmp },
    );
    ctx.skip(
      asNobody.status !== 0 && /EACCES|Cannot find module/.test(asNobody.stderr),
      'the user nobody cannot read this checkout',
    );
    expect(asNobody.status).toBe(0);
    const p = (
      JSON.parse(asNobody.stdout) as {
        processes: { hugeShare: number | null; verdict: string; unavailable: string[] }[];
      }
    ).processes[0]!;
    expect(p.hugeShare).toBe(null);
    expect(p.verdict).toMatch(/^not readable: smaps_rollup: needs root/);
    expect(p.unavailable.join('\n')).toMatch(/numa_maps: needs root/);
    await r.stop();
  });

  it('a kernel without smaps_rollup or numa_maps says so, and --smaps stands in for the rollup', () => {
    const smaps =
      '7f0000000000-7f0000400000 rw-p 00000000 00:00 0 \nRss:                4096 kB\nAnonymous:          4096 kB\nAnonHugePages:      4096 kB\nKernelPageSize:        4 kB\nTHPeligible:    1\nVmFlags: rd wr mr mw me ac hg\n';
    const files = tree({
      '/proc/77/maps': { kind: 'text', text: '7f0000000000-7f0000400000 rw-p 00000000 00:00 0 \n' },
      '/proc/77/smaps': { kind: 'text', text: smaps },
    });
    const d = inspectProcess(files, 77, {});
    expect(d.unavailable).toContain(
      'smaps_rollup: this kernel has none (before 4.14): run with --smaps to sum smaps instead',
    );
    expect(d.unavailable).toContain('numa_maps: this kernel has none (built without NUMA): no per-node figures');
    expect(d.perNode).toBe(null);
    const withSmaps = inspectProcess(files, 77, { smaps: true });
    expect(withSmaps.anonHugeKiB).toBe(4096);
    expect(withSmaps.hugeShare).toBe(1);
    expect(withSmaps.smaps).toEqual({ vmas: 1, thpEligible: 1, hugetlbVmas: 0, pageSizesKiB: [4] });
  });
});

describe('snapshots with a process in them', () => {
  it('the capture script captures the same process files as the app (one list, mirrored)', () => {
    const text = readFileSync(join(REPO, 'resources/capture/hugetune-capture.sh'), 'utf8');
    expect(/^PROCESS_FILES='([^']*)'/m.exec(text)?.[1]?.split(' ')).toEqual([...CAPTURE_PROCESS_FILES]);
  });

  it('a snapshot taken with the process inspects like the live process', async (ctx) => {
    ctx.skip(helper === null, noHelper);
    const r = await start(['pattern', '4632', '6144'], 'llama-cli');
    const liveView = inspectProcess(live, r.pid, { uid });
    const snap = captureSnapshot(live, true, new Date(), [r.pid]);
    for (const f of CAPTURE_PROCESS_FILES) expect(Object.keys(snap.files)).toContain(`/proc/${r.pid}/${f}`);
    const files = snapshotFiles(JSON.parse(JSON.stringify(snap)) as typeof snap, 'snap');
    const fromSnap = inspectProcess(files, r.pid, {});
    // The machine's free blocks move between the two reads; the process's own figures must not.
    const { unavailable: _a, machine: _ma, ...a } = liveView;
    const { unavailable: _b, machine: _mb, ...b } = fromSnap;
    expect(b).toEqual(a);
    // And through the CLI: snapshot --pid, then inspect --snapshot.
    const file = join(tmp, 'with-process.json');
    expect(cli('snapshot', '--pid', String(r.pid), '-o', file).code).toBe(0);
    const out = cli('inspect', '--snapshot', file, '--json');
    expect(out.code).toBe(0);
    const listed = JSON.parse(out.out) as { processes: { pid: number; runtime: string; vma: unknown }[] };
    expect(listed.processes.map((p) => [p.pid, p.runtime])).toEqual([[r.pid, 'llama.cpp']]);
    const one = JSON.parse(cli('inspect', '--snapshot', file, '--pid', String(r.pid), '--json').out) as {
      processes: { vma: { anonCount: number } }[];
    };
    expect(one.processes[0]!.vma.anonCount).toBe(liveView.vma!.anonCount);
    expect(cli('inspect', '--snapshot', file, '--pid', '1').err).toMatch(/process 1: not in snapshot/);
    await r.stop();
  });

  it('the capture script’s --pid captures the same files, and refuses a PID that is not there', async (ctx) => {
    ctx.skip(helper === null, noHelper);
    const r = await start(['pattern', '4096'], 'llama-server');
    const script = join(REPO, 'resources/capture/hugetune-capture.sh');
    const out = spawnSync('sh', [script, '--pid', String(r.pid)], { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(out.status).toBe(0);
    const file = join(tmp, 'script.json');
    writeFileSync(file, out.stdout);
    const listed = JSON.parse(cli('inspect', '--snapshot', file, '--json').out) as { processes: { pid: number }[] };
    expect(listed.processes.map((p) => p.pid)).toEqual([r.pid]);
    const bad = spawnSync('sh', [script, '--pid', '4194304'], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toBe('');
    expect(spawnSync('sh', [script, '--pid', 'x'], { encoding: 'utf8' }).status).toBe(2);
    await r.stop();
  });
});

describe('hugetune probe-alignment', () => {
  it('the Python helper (for the packaged app, which has no Node to run) measures the same placement', async (ctx) => {
    const py = spawnSync('sh', ['-c', 'command -v python3'], { encoding: 'utf8' });
    ctx.skip(py.status !== 0, 'no python3 on this machine');
    const [viaNode, viaPython] = await Promise.all([probeAlignment('node'), probeAlignment('python')]);
    expect(viaPython.total).toBe(8);
    expect(viaPython.affected).toBe(viaNode.affected);
    expect(viaPython.gapsKiB.filter((g) => g > 0 && g < 2048)).toEqual(
      viaNode.gapsKiB.filter((g) => g > 0 && g < 2048),
    );
  });

  it('reports its placement as the contract says, and the live report carries it as evidence', () => {
    const r = cli('probe-alignment', '--json');
    expect(r.code).toBe(0);
    const p = JSON.parse(r.out) as { affected: boolean; aligned: number; total: number; gapsKiB: number[] };
    expect(p.total).toBe(8);
    expect(p.gapsKiB).toHaveLength(7);
    expect(p.affected).toBe(p.aligned === p.total);
    const report = JSON.parse(cli('report', '--json').out) as {
      kernel: { implies: { thpAlignmentRegression: boolean | null } };
      findings: { id: string; evidence: { path: string }[] }[];
    };
    const f = report.findings.find((x) => x.id.startsWith('thp-alignment'));
    // The probe overrides the version table: a finding whenever either says affected, with the probe as evidence.
    if (p.affected || report.kernel.implies.thpAlignmentRegression)
      expect(f?.evidence.map((e) => e.path)).toContain('hugetune probe-alignment');
    else expect(f).toBeUndefined();
  });
});
