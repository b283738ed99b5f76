/** The planner's view of a machine: from a report (any source), optionally overridden by what-if sizes. */
import type { Report } from '../host/report';
import type { PlanMachine } from './plan';

export interface MachineOverrides {
  memGiB?: number | undefined;
  availableMiB?: number | undefined;
}

/** A planned machine of N GiB with nothing else running: what the kernel typically leaves available. */
export const PLANNED_AVAILABLE_FRACTION = 0.95;

export function machineFromReport(r: Report, o: MachineOverrides = {}): PlanMachine {
  const meminfo = r.memory.meminfo ?? {};
  const totalMiB = o.memGiB !== undefined ? o.memGiB * 1024 : (r.memory.totalKiB ?? 0) / 1024;
  // Pools already reserved are memory MemAvailable leaves out but the plan can use or re-size.
  const liveAvailableMiB = ((r.memory.availableKiB ?? 0) + (meminfo['Hugetlb'] ?? 0)) / 1024;
  const availableMiB =
    o.availableMiB ?? (o.memGiB !== undefined ? Math.round(totalMiB * PLANNED_AVAILABLE_FRACTION) : liveAvailableMiB);
  const nodes =
    o.memGiB !== undefined || r.numa.nodes.length === 0
      ? [{ id: 0, memMiB: totalMiB, hasCpus: true }]
      : r.numa.nodes.map((n) => ({
          id: n.id,
          memMiB: (n.memTotalKiB ?? 0) / 1024,
          hasCpus: n.cpus === null || n.cpus.length > 0,
        }));
  return {
    label: o.memGiB !== undefined ? `planned ${o.memGiB} GiB machine` : r.source.label,
    totalMiB,
    availableMiB,
    nodes,
    // A planned machine starts with no pools; this one has the pools it has.
    pools:
      o.memGiB !== undefined ? [] : r.hugetlb.pools.map((p) => ({ pageSizeKiB: p.pageSizeKiB, total: p.total ?? 0 })),
    hvoAvailable: r.hvo.compiled === false || r.hvo.archSupported === false ? false : r.hvo.compiled,
    supports1G: r.cpu.gigantic1G,
    thpEnabled: r.thp.enabled,
  };
}
