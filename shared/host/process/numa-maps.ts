/**
 * /proc/PID/numa_maps: per VMA, `<addr> <policy> [file=...|heap|stack] [huge] [anon=N] ... N<node>=<pages>
 * kernelpagesize_kB=<size>`. Page counts are in units of kernelpagesize_kB: huge pages for HugeTLB VMAs,
 * base pages for everything else (THP included). Needs CONFIG_NUMA.
 */
import { malformed, parsed, type Parsed } from '../reading';
import { hexAddress } from './maps';

export type Backing = 'anon' | 'file' | 'hugetlb';

export interface NumaMapsVma {
  readonly start: number;
  readonly policy: string;
  readonly backing: Backing;
  readonly file: string | null;
  /** Pages per node. */
  readonly nodes: ReadonlyMap<number, number>;
  readonly kernelPageSizeKiB: number;
}

/** Memory of one backing and page size on one node. */
export interface NodeUsage {
  node: number;
  pageSizeKiB: number;
  backing: Backing;
  kib: number;
}

export function parseNumaMaps(text: string): Parsed<NumaMapsVma[]> {
  const out: NumaMapsVma[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    // The file name is the one field that may hold spaces; it is the last thing before the counters.
    const head = /^([0-9a-f]{1,16}) (\S+)(?: file=(.*?))?((?: [A-Za-z_]+(?:=\d+)?| N\d+=\d+)*)$/.exec(line);
    if (!head) return malformed(`unexpected line ${JSON.stringify(line.slice(0, 80))}`);
    const words = head[4]!.trim().split(' ').filter(Boolean);
    const nodes = new Map<number, number>();
    let huge = false;
    let kps: number | null = null;
    for (const w of words) {
      const n = /^N(\d+)=(\d+)$/.exec(w);
      if (n) nodes.set(Number(n[1]), Number(n[2]));
      else if (w === 'huge') huge = true;
      else if (w.startsWith('kernelpagesize_kB=')) kps = Number(w.slice('kernelpagesize_kB='.length));
    }
    // kernelpagesize_kB is in every line since 4.1; older kernels used base pages only outside HugeTLB.
    out.push({
      start: hexAddress(head[1]!),
      policy: head[2]!,
      backing: huge ? 'hugetlb' : head[3] !== undefined ? 'file' : 'anon',
      file: head[3] ?? null,
      nodes,
      kernelPageSizeKiB: kps ?? 4,
    });
  }
  return parsed(out);
}

/** Memory per node, page size and backing, in KiB, sorted by node then page size. */
export function nodeUsage(vmas: readonly NumaMapsVma[]): NodeUsage[] {
  const acc = new Map<string, NodeUsage>();
  for (const v of vmas) {
    for (const [node, pages] of v.nodes) {
      const key = `${node}/${v.kernelPageSizeKiB}/${v.backing}`;
      const row = acc.get(key) ?? { node, pageSizeKiB: v.kernelPageSizeKiB, backing: v.backing, kib: 0 };
      row.kib += pages * v.kernelPageSizeKiB;
      acc.set(key, row);
    }
  }
  const order: Record<Backing, number> = { hugetlb: 0, anon: 1, file: 2 };
  return [...acc.values()]
    .filter((r) => r.kib > 0)
    .sort((a, b) => a.node - b.node || b.pageSizeKiB - a.pageSizeKiB || order[a.backing] - order[b.backing]);
}
