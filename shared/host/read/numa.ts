import { parseMeminfo } from '../parse/meminfo';
import { parseIdList, parseTrueFalse, parseUnsigned } from '../parse/scalar';
import { NODE_DIR, PATHS } from '../paths';
import type { NumaState } from '../state';
import type { ReadContext } from './context';

export function readNuma(ctx: ReadContext, ids: readonly number[]): NumaState {
  return {
    nodes: ids.map((id) => ({
      id,
      cpus: ctx.get(`${NODE_DIR}/node${id}/cpulist`, parseIdList) ?? [],
      memTotalKiB: ctx.get(`${NODE_DIR}/node${id}/meminfo`, parseMeminfo)?.fields.get('MemTotal') ?? null,
    })),
    balancing: ctx.get(PATHS.numaBalancing, parseUnsigned, true),
    demotionEnabled: ctx.get(PATHS.demotionEnabled, parseTrueFalse, true),
  };
}
