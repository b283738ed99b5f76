import { pageSizeFromDirName, parseMultiChoice, parseUnsigned } from '../parse/scalar';
import { THP_DIR } from '../paths';
import type { ThpSize, ThpState } from '../state';
import type { ReadContext } from './context';

/** Every counter file in a directory, by name (stats/ and khugepaged/ are all one-integer files). */
function counters(ctx: ReadContext, dir: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of ctx.list(dir, true)) {
    const v = ctx.get(`${dir}/${name}`, parseUnsigned, true);
    if (v !== null) out[name] = v;
  }
  return out;
}

export function readThp(ctx: ReadContext): ThpState {
  const entries = ctx.files.list(THP_DIR);
  if (entries.kind === 'missing') {
    // No THP directory in a /sys that has mm/ means a kernel without THP; no /sys/kernel/mm at all (a
    // container without /sys, a partial capture) means we cannot tell.
    const mm = ctx.files.list('/sys/kernel/mm').kind === 'entries';
    if (!mm)
      ctx.diagnostics.push({
        path: '/sys/kernel/mm',
        problem: 'missing',
        detail: 'no /sys/kernel/mm: /sys is not mounted or not captured',
      });
    return {
      present: mm ? false : null,
      enabled: null,
      defrag: null,
      shmemEnabled: null,
      useZeroPage: null,
      pmdSizeBytes: null,
      shrinkUnderused: null,
      khugepaged: {},
      sizes: [],
    };
  }
  const enabled = ctx.get(`${THP_DIR}/enabled`, parseMultiChoice);
  const sizes: ThpSize[] = [];
  for (const name of entries.kind === 'entries' ? entries.names : ctx.list(THP_DIR)) {
    const sizeKiB = pageSizeFromDirName(name);
    if (sizeKiB === null) continue;
    // Order-1 sizes have no anon `enabled` file by design: not an error, and a size for shmem only.
    const enabledPath = `${THP_DIR}/${name}/enabled`;
    const enabledRead = ctx.files.read(enabledPath);
    const own = ctx.interpret(enabledPath, enabledRead, parseMultiChoice, true)?.selected ?? null;
    const shmem = ctx.get(`${THP_DIR}/${name}/shmem_enabled`, parseMultiChoice, true)?.selected ?? null;
    sizes.push({
      sizeKiB,
      anon: enabledRead.kind !== 'missing',
      enabled: own,
      effective: own === 'inherit' ? (enabled?.selected ?? null) : own,
      shmemEnabled: shmem,
      stats: counters(ctx, `${THP_DIR}/${name}/stats`),
    });
  }
  sizes.sort((a, b) => a.sizeKiB - b.sizeKiB);
  return {
    present: true,
    enabled,
    defrag: ctx.get(`${THP_DIR}/defrag`, parseMultiChoice),
    shmemEnabled: ctx.get(`${THP_DIR}/shmem_enabled`, parseMultiChoice, true),
    useZeroPage: ctx.get(`${THP_DIR}/use_zero_page`, parseUnsigned, true),
    pmdSizeBytes: ctx.get(`${THP_DIR}/hpage_pmd_size`, parseUnsigned, true),
    shrinkUnderused: ctx.get(`${THP_DIR}/shrink_underused`, parseUnsigned, true),
    khugepaged: counters(ctx, `${THP_DIR}/khugepaged`),
    sizes,
  };
}
