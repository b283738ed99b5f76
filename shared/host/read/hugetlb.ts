import { hugePageSizeProblem, pageSizeFromDirName, parseUnsigned } from '../parse/scalar';
import { parseHugetlbfsMounts } from '../parse/mounts';
import { HUGETLB_DIR, NODE_DIR, PATHS } from '../paths';
import type { HugetlbPool, HugetlbState, PoolNode } from '../state';
import type { ReadContext } from './context';
import { numberText } from '../../number-text';

/** The kernel keeps at most HUGE_MAX_HSTATE page sizes (a handful on every architecture). */
const MAX_POOLS = 16;

export function nodeIds(ctx: ReadContext): number[] {
  const ids: number[] = [];
  for (const name of ctx.list(NODE_DIR, true)) {
    const m = /^node(\d{1,5})$/.exec(name);
    if (m) ids.push(Number(m[1]));
  }
  return ids.sort((a, b) => a - b);
}

export function readHugetlb(
  ctx: ReadContext,
  defaultPageSizeKiB: number | null,
  nodes: readonly number[],
): HugetlbState {
  const pools: HugetlbPool[] = [];
  const names = ctx.list(HUGETLB_DIR, true).filter((n) => pageSizeFromDirName(n) !== null);
  if (names.length > MAX_POOLS) {
    ctx.diagnostics.push({
      path: HUGETLB_DIR,
      problem: 'malformed',
      detail: `${numberText(names.length)} page sizes; a kernel has at most ${MAX_POOLS}, so none is shown`,
    });
    names.length = 0;
  }
  for (const name of names) {
    const pageSizeKiB = pageSizeFromDirName(name)!;
    const dir = `${HUGETLB_DIR}/${name}`;
    const absurd = hugePageSizeProblem(pageSizeKiB);
    if (absurd !== null) {
      ctx.diagnostics.push({ path: dir, problem: 'malformed', detail: absurd });
      continue;
    }
    // `demote` is write-only (mode 0200): never read it.
    const perNode: PoolNode[] = [];
    for (const node of nodes) {
      const nd = `${NODE_DIR}/node${node}/hugepages/${name}`;
      if (ctx.files.list(nd).kind === 'missing') continue;
      perNode.push({
        node,
        total: ctx.get(`${nd}/nr_hugepages`, parseUnsigned),
        free: ctx.get(`${nd}/free_hugepages`, parseUnsigned),
        surplus: ctx.get(`${nd}/surplus_hugepages`, parseUnsigned),
      });
    }
    pools.push({
      pageSizeKiB,
      total: ctx.get(`${dir}/nr_hugepages`, parseUnsigned),
      free: ctx.get(`${dir}/free_hugepages`, parseUnsigned),
      reserved: ctx.get(`${dir}/resv_hugepages`, parseUnsigned),
      surplus: ctx.get(`${dir}/surplus_hugepages`, parseUnsigned),
      overcommit: ctx.get(`${dir}/nr_overcommit_hugepages`, parseUnsigned),
      mempolicy: ctx.get(`${dir}/nr_hugepages_mempolicy`, parseUnsigned, true),
      nodes: perNode,
    });
  }
  pools.sort((a, b) => a.pageSizeKiB - b.pageSizeKiB);
  return {
    defaultPageSizeKiB,
    pools,
    mounts: ctx.get(PATHS.mounts, parseHugetlbfsMounts, true),
    shmGroup: ctx.get(PATHS.hugetlbShmGroup, parseUnsigned, true),
  };
}
