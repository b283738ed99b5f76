import { parseInterrupts, type Interrupts } from '../parse/interrupts';
import { PATHS } from '../paths';
import type { IpiRow, TlbState } from '../state';
import type { ReadContext } from './context';

/** Why an architecture shows no TLB row: it flushes remote TLBs without IPIs, so there is nothing to count. */
export function noTlbRowReason(arch: string | null): string {
  switch (arch) {
    case 'aarch64':
    case 'arm64':
      return 'arm64 invalidates other CPUs’ TLBs with broadcast TLBI instructions, not interrupts, so the kernel has no TLB shootdown counter';
    case 'riscv64':
      return 'riscv flushes remote TLBs through SBI remote fences or generic IPIs; the kernel keeps no separate TLB shootdown counter';
    default:
      return `/proc/interrupts on this ${arch ?? 'unknown'} kernel has no TLB row`;
  }
}

function row(ints: Interrupts, label: string): IpiRow | null {
  const r = ints.rows.get(label);
  if (!r?.perCpu) return null;
  return { total: r.total, perCpu: r.perCpu.map((count, i) => ({ cpu: ints.cpus[i]!, count })) };
}

export function tlbFromInterrupts(ints: Interrupts | null, arch: string | null): TlbState {
  if (ints === null) {
    return {
      available: false,
      reason: '/proc/interrupts could not be read',
      total: null,
      perCpu: [],
      res: null,
      cal: null,
    };
  }
  const tlb = row(ints, 'TLB');
  return {
    available: tlb !== null,
    reason: tlb ? null : noTlbRowReason(arch),
    total: tlb?.total ?? null,
    perCpu: tlb?.perCpu ?? [],
    res: row(ints, 'RES'),
    cal: row(ints, 'CAL'),
  };
}

export function readTlb(ctx: ReadContext, arch: string | null): TlbState {
  return tlbFromInterrupts(ctx.get(PATHS.interrupts, parseInterrupts), arch);
}
