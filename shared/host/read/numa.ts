import { parseMeminfo } from '../parse/meminfo';
import { parseIdList, parseTrueFalse, parseUnsigned } from '../parse/scalar';
import { malformed, parsed, type Parsed } from '../reading';
import { NODE_DIR, PATHS, TIER_DIR } from '../paths';
import type { MemoryTier, NumaState } from '../state';
import type { ReadContext } from './context';

function parseDistances(text: string): Parsed<number[]> {
  const words = text.trim().split(/\s+/);
  if (words.some((w) => !/^\d{1,4}$/.test(w))) return malformed('expected numbers separated by spaces');
  return parsed(words.map(Number));
}

function readTiers(ctx: ReadContext): MemoryTier[] {
  const tiers: MemoryTier[] = [];
  for (const name of ctx.list(TIER_DIR, true)) {
    const m = /^memory_tier(\d{1,5})$/.exec(name);
    if (!m) continue;
    const nodes = ctx.get(`${TIER_DIR}/${name}/nodelist`, parseIdList);
    if (nodes !== null) tiers.push({ id: Number(m[1]), nodes });
  }
  return tiers.sort((a, b) => a.id - b.id);
}

export function readNuma(ctx: ReadContext, ids: readonly number[]): NumaState {
  return {
    nodes: ids.map((id) => {
      const mem = ctx.get(`${NODE_DIR}/node${id}/meminfo`, parseMeminfo)?.fields;
      return {
        id,
        cpus: ctx.get(`${NODE_DIR}/node${id}/cpulist`, parseIdList),
        memTotalKiB: mem?.get('MemTotal') ?? null,
        memFreeKiB: mem?.get('MemFree') ?? null,
        distances: ctx.get(`${NODE_DIR}/node${id}/distance`, parseDistances, true),
      };
    }),
    tiers: readTiers(ctx),
    balancing: ctx.get(PATHS.numaBalancing, parseUnsigned, true),
    promoteRateLimitMBps: ctx.get(PATHS.promoteRateLimit, parseUnsigned, true),
    demotionEnabled: ctx.get(PATHS.demotionEnabled, parseTrueFalse, true),
  };
}
