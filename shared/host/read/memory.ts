import { parseBuddyinfo } from '../parse/buddyinfo';
import { parseMeminfo } from '../parse/meminfo';
import { parseVmstat } from '../parse/vmstat';
import { PATHS } from '../paths';
import type { MemoryState } from '../state';
import type { ReadContext } from './context';

export function readMemory(ctx: ReadContext): MemoryState {
  const meminfo = ctx.get(PATHS.meminfo, parseMeminfo)?.fields ?? null;
  return {
    totalKiB: meminfo?.get('MemTotal') ?? null,
    // MemAvailable exists since 3.14; older kernels leave it null rather than guessing.
    availableKiB: meminfo?.get('MemAvailable') ?? null,
    meminfo,
    vmstat: ctx.get(PATHS.vmstat, parseVmstat),
    buddy: ctx.get(PATHS.buddyinfo, parseBuddyinfo, true),
  };
}
