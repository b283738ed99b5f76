/**
 * The process inspector: finds the model servers among a machine's processes and reads, for each, where its
 * memory sits (smaps_rollup, status, numa_maps) and how its anonymous mappings are laid out (maps). Reads
 * through a HostFiles tree, so a snapshot that holds a process's files is inspected exactly like this machine.
 */
import { UserError } from '../../../shared/errors';
import type { HostFiles } from '../../../shared/host/files';
import { freeBlocksOf } from '../../../shared/host/parse/buddyinfo';
import { anonRows, summarizeVmas } from '../../../shared/host/process/layout';
import { parseMaps, type Vma } from '../../../shared/host/process/maps';
import { nodeUsage, parseNumaMaps } from '../../../shared/host/process/numa-maps';
import {
  identifyRuntime,
  isPython,
  loadFlags,
  parseCmdline,
  RUNTIME_LABEL,
  type ProcessRuntime,
} from '../../../shared/host/process/runtime';
import { parseSmaps, parseSmapsRollup, sumSmaps, type MemoryTotals } from '../../../shared/host/process/smaps';
import { parseStatus, type ProcessStatus } from '../../../shared/host/process/status';
import type { MachineFigures, ProcessDetail, ProcessList, ProcessReport } from '../../../shared/host/process/types';
import { verdictOf, type MachineContext } from '../../../shared/host/process/verdict';
import { readHost } from '../../../shared/host/read/index';
import type { HostState } from '../../../shared/host/state';

const PROC = '/proc';
const MAX_COMMAND = 400;

export function machineContext(h: HostState): MachineContext {
  let free2MiBByNode: Map<number, number> | null = null;
  if (h.memory.buddy) {
    free2MiBByNode = new Map();
    for (const node of new Set(h.memory.buddy.map((z) => z.node)))
      free2MiBByNode.set(
        node,
        freeBlocksOf(
          h.memory.buddy.filter((z) => z.node === node),
          2048,
        ),
      );
  }
  return {
    thpEnabled: h.thp.enabled?.selected ?? null,
    defaultHugePageKiB: h.hugetlb.defaultPageSizeKiB,
    pools: h.hugetlb.pools.map((p) => ({ pageSizeKiB: p.pageSizeKiB, total: p.total, free: p.free })),
    free2MiBByNode,
  };
}

/** The machine context as figures a front end shows beside the verdicts. */
export function machineFigures(m: MachineContext): MachineFigures {
  return {
    thpEnabled: m.thpEnabled,
    defaultHugePageKiB: m.defaultHugePageKiB,
    pools: m.pools.map((p) => ({ ...p })),
    free2MiBByNode: m.free2MiBByNode
      ? [...m.free2MiBByNode].map(([node, blocks]) => ({ node, blocks })).sort((a, b) => a.node - b.node)
      : null,
  };
}

export interface InspectOptions {
  /** Read /proc/PID/smaps as well: per-VMA page sizes (costly for the kernel on large processes). */
  smaps?: boolean;
  /** The reader's own user id (live machine), to say what needs privileges; null where it means nothing. */
  uid?: number | null;
}

/** Why a file of a process could not be read, in words. */
function why(file: string, kind: 'missing' | 'denied' | 'error', owner: number | null, uid: number | null): string {
  if (kind === 'denied')
    return `${file}: needs root${owner !== null && uid !== null && owner !== uid ? ` or user ${owner}` : ''} (the kernel shows it only to the process's owner or with CAP_SYS_PTRACE)`;
  if (kind === 'missing') {
    if (file === 'smaps_rollup')
      return 'smaps_rollup: this kernel has none (before 4.14): run with --smaps to sum smaps instead';
    if (file === 'numa_maps') return 'numa_maps: this kernel has none (built without NUMA): no per-node figures';
    return `${file}: not present`;
  }
  return `${file}: could not be read`;
}

class Gone extends Error {}

/** A file of a process missing means the process exited, unless its status is still there. */
const gone = (files: HostFiles, dir: string): boolean => files.read(`${dir}/status`).kind === 'missing';

interface RawProcess {
  pid: number;
  status: ProcessStatus;
  argv: string[];
  comm: string | null;
  maps: Vma[] | null;
  mapsProblem: string | null;
}

type Problem = 'missing' | 'denied' | 'error';
type Read = { text: string; problem?: undefined } | { text?: undefined; problem: Problem };

function readText(files: HostFiles, path: string): Read {
  const r = files.read(path);
  return r.kind === 'text' ? { text: r.text } : { problem: r.kind };
}

/** Status, command line, comm and maps; throws Gone when the process is not there (or exited mid-read). */
function readRaw(files: HostFiles, pid: number, uid: number | null): RawProcess {
  const dir = `${PROC}/${pid}`;
  const st = readText(files, `${dir}/status`);
  if (st.problem === 'missing') throw new Gone();
  if (st.problem) throw new UserError(`process ${pid}: its status could not be read (${st.problem})`);
  const status = parseStatus(st.text);
  if (!status.ok) throw new UserError(`process ${pid}: status not understood: ${status.reason}`);
  const cmd = readText(files, `${dir}/cmdline`);
  const comm = readText(files, `${dir}/comm`);
  const mapsText = readText(files, `${dir}/maps`);
  let maps: Vma[] | null = null;
  let mapsProblem: string | null = null;
  if (mapsText.problem) mapsProblem = why('maps', mapsText.problem, status.value.uid, uid);
  else {
    const m = parseMaps(mapsText.text);
    if (m.ok) maps = m.value;
    else mapsProblem = `maps: not understood (${m.reason})`;
  }
  return {
    pid,
    status: status.value,
    argv: cmd.text !== undefined ? parseCmdline(cmd.text) : [],
    comm: comm.text !== undefined ? comm.text.trim() : status.value.name,
    maps,
    mapsProblem,
  };
}

function runtimeOf(raw: RawProcess): ProcessRuntime | null {
  // Libraries matter only for Python; maps of other processes are not searched.
  const libs =
    raw.maps && isPython(raw.comm, raw.argv) ? raw.maps.map((v) => v.path).filter((p) => p.startsWith('/')) : [];
  return identifyRuntime(raw.comm, raw.argv, libs);
}

function inspectRaw(files: HostFiles, raw: RawProcess, ctx: MachineContext, opts: InspectOptions): ProcessDetail {
  const dir = `${PROC}/${raw.pid}`;
  const uid = opts.uid ?? null;
  const unavailable: string[] = [];
  if (raw.mapsProblem) unavailable.push(raw.mapsProblem);

  let totals: MemoryTotals | null = null;
  let smapsInfo: ProcessDetail['smaps'] = null;
  if (opts.smaps) {
    const t = readText(files, `${dir}/smaps`);
    if (t.problem === 'missing' && gone(files, dir)) throw new Gone();
    if (t.problem) unavailable.push(why('smaps', t.problem, raw.status.uid, uid));
    else {
      const p = parseSmaps(t.text);
      if (p.ok) {
        totals = sumSmaps(p.value);
        smapsInfo = {
          vmas: p.value.length,
          thpEligible: p.value.filter((v) => v.thpEligible === true).length,
          hugetlbVmas: p.value.filter((v) => (v.kernelPageSizeKiB ?? 4) > 64).length,
          pageSizesKiB: [
            ...new Set(p.value.map((v) => v.kernelPageSizeKiB).filter((k): k is number => k !== null)),
          ].sort((a, b) => a - b),
        };
      } else unavailable.push(`smaps: not understood (${p.reason})`);
    }
  }
  if (!totals) {
    const t = readText(files, `${dir}/smaps_rollup`);
    if (t.problem === 'missing' && gone(files, dir)) throw new Gone();
    if (t.problem) unavailable.push(why('smaps_rollup', t.problem, raw.status.uid, uid));
    else {
      const p = parseSmapsRollup(t.text);
      if (p.ok) totals = p.value;
      else unavailable.push(`smaps_rollup: not understood (${p.reason})`);
    }
  }
  let perNode: ProcessReport['perNode'] = null;
  const nm = readText(files, `${dir}/numa_maps`);
  if (nm.problem === 'missing' && gone(files, dir)) throw new Gone();
  if (nm.problem) unavailable.push(why('numa_maps', nm.problem, raw.status.uid, uid));
  else {
    const p = parseNumaMaps(nm.text);
    if (p.ok) perNode = nodeUsage(p.value);
    else unavailable.push(`numa_maps: not understood (${p.reason})`);
  }

  const runtimeId = runtimeOf(raw);
  const flags = loadFlags(raw.argv);
  const figures = {
    rssKiB: totals?.rssKiB ?? raw.status.vmRssKiB,
    anonymousKiB: totals?.anonymousKiB ?? null,
    anonHugeKiB: totals?.anonHugeKiB ?? null,
    filePmdKiB: totals?.filePmdKiB ?? null,
    shmemPmdKiB: totals?.shmemPmdKiB ?? null,
    hugetlbKiB: totals?.hugetlbKiB ?? raw.status.hugetlbPagesKiB,
    perNode,
  };
  const readable = totals !== null;
  const v = verdictOf(figures, runtimeId, flags, ctx);
  const rows = raw.maps ? anonRows(raw.maps) : { rows: [], omitted: 0 };
  const command = (raw.argv.length > 0 ? raw.argv.join(' ') : `[${raw.comm ?? raw.status.name ?? '?'}]`).slice(
    0,
    MAX_COMMAND,
  );
  return {
    pid: raw.pid,
    command,
    comm: raw.comm,
    runtime: runtimeId ? RUNTIME_LABEL[runtimeId] : null,
    runtimeId,
    uid: raw.status.uid,
    ...figures,
    pageTablesKiB: raw.status.vmPteKiB,
    mlockedKiB: raw.status.vmLckKiB,
    swapKiB: raw.status.vmSwapKiB,
    hugeShare: readable ? v.hugeShare : null,
    verdict: readable
      ? v.text
      : `not readable: ${unavailable.find((u) => u.startsWith('smaps')) ?? unavailable[0] ?? 'no memory figures'}`,
    conditions: readable ? v.conditions : [],
    vma: raw.maps ? summarizeVmas(raw.maps) : null,
    unavailable,
    vmas: rows.rows,
    vmasOmitted: rows.omitted,
    smaps: smapsInfo,
    flags,
    machine: machineFigures(ctx),
  };
}

/** One process by PID, in full; a UserError (not-found) when it is not there or exits while being read. */
export function inspectProcess(
  files: HostFiles,
  pid: number,
  opts: InspectOptions = {},
  state?: HostState,
): ProcessDetail {
  try {
    const raw = readRaw(files, pid, opts.uid ?? null);
    return inspectRaw(files, raw, machineContext(state ?? readHost(files)), opts);
  } catch (e) {
    if (e instanceof Gone)
      throw new UserError(
        files.source.kind === 'live'
          ? `process ${pid}: no such process (or it exited while being read)`
          : files.source.kind === 'sim'
            ? `process ${pid}: ${files.source.label} is simulated and runs no processes`
            : `process ${pid}: not in ${files.source.label}`,
        'not-found',
      );
    throw e;
  }
}

const report = (d: ProcessDetail): ProcessReport => {
  const { vmas: _v, vmasOmitted: _o, smaps: _s, flags: _f, machine: _m, ...r } = d;
  return r;
};

/** The model servers among the source's processes (any runtime the inspector knows). */
export function listProcesses(files: HostFiles, opts: InspectOptions = {}, state?: HostState): ProcessList {
  const notes: string[] = [];
  const l = files.list(PROC);
  const pids = l.kind === 'entries' ? l.names.filter((n) => /^\d+$/.test(n)).map(Number) : [];
  if (pids.length === 0) {
    notes.push(
      files.source.kind === 'live'
        ? 'no processes could be listed from /proc'
        : files.source.kind === 'sim'
          ? // A simulated machine models the kernel, not the programs on it: nothing could add processes to it.
            `${files.source.label} is simulated and runs no processes: inspect this machine, or a snapshot of the machine that runs the model server`
          : `${files.source.label} holds no process files (hugetune snapshot --pid PID, or the capture script's --pid, adds them)`,
    );
    return { processes: [], notes, scanned: 0, machine: machineFigures(machineContext(state ?? readHost(files))) };
  }
  const ctx = machineContext(state ?? readHost(files));
  const out: ProcessReport[] = [];
  let denied = 0;
  for (const pid of pids) {
    try {
      // Cheap first: comm and cmdline; maps only for what could be a runtime.
      const cmd = readText(files, `${PROC}/${pid}/cmdline`);
      const comm = readText(files, `${PROC}/${pid}/comm`);
      const argv = cmd.text !== undefined ? parseCmdline(cmd.text) : [];
      const c = comm.text !== undefined ? comm.text.trim() : null;
      if (argv.length === 0) continue; // kernel threads
      if (identifyRuntime(c, argv) === null && !isPython(c, argv)) continue;
      const raw = readRaw(files, pid, opts.uid ?? null);
      if (runtimeOf(raw) === null) continue;
      const d = inspectRaw(files, raw, ctx, { ...opts, smaps: false });
      if (d.hugeShare === null) denied++;
      out.push(report(d));
    } catch (e) {
      // A process that exits between the listing and the reading is simply no longer there.
      if (e instanceof Gone) continue;
      throw e;
    }
  }
  if (denied > 0)
    notes.push(
      `${denied} of them belong to other users: their memory figures need root (the kernel shows smaps_rollup, numa_maps and maps only to the owner or with CAP_SYS_PTRACE)`,
    );
  return { processes: out, notes, scanned: pids.length, machine: machineFigures(ctx) };
}

/** A UserError (not-found) unless the source has this process; for commands that capture one. */
export function requireProcess(files: HostFiles, pid: number): void {
  if (files.read(`${PROC}/${pid}/status`).kind === 'missing')
    throw new UserError(`--pid ${pid}: no such process in ${files.source.label}`, 'not-found');
}
