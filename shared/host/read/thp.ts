import { pageSizeFromDirName, parseMultiChoice } from '../parse/scalar';
import { THP_DIR } from '../paths';
import type { ThpSize, ThpState } from '../state';
import type { ReadContext } from './context';

export function readThp(ctx: ReadContext): ThpState {
  const entries = ctx.files.list(THP_DIR);
  if (entries.kind === 'missing') {
    return { present: false, enabled: null, defrag: null, shmemEnabled: null, sizes: [] };
  }
  const enabled = ctx.get(`${THP_DIR}/enabled`, parseMultiChoice);
  const sizes: ThpSize[] = [];
  for (const name of ctx.list(THP_DIR)) {
    const sizeKiB = pageSizeFromDirName(name);
    if (sizeKiB === null) continue;
    // Order-1 sizes have no anon `enabled` file by design: not an error.
    const own = ctx.get(`${THP_DIR}/${name}/enabled`, parseMultiChoice, true)?.selected ?? null;
    const shmem = ctx.get(`${THP_DIR}/${name}/shmem_enabled`, parseMultiChoice, true)?.selected ?? null;
    sizes.push({
      sizeKiB,
      enabled: own,
      effective: own === 'inherit' ? (enabled?.selected ?? null) : own,
      shmemEnabled: shmem,
    });
  }
  sizes.sort((a, b) => a.sizeKiB - b.sizeKiB);
  return {
    present: true,
    enabled,
    defrag: ctx.get(`${THP_DIR}/defrag`, parseMultiChoice),
    shmemEnabled: ctx.get(`${THP_DIR}/shmem_enabled`, parseMultiChoice, true),
    sizes,
  };
}
