/**
 * The verdict of the last plan the user ran (Planner, Advisor, Simulator), for the Overview. It is recorded
 * where every view's calls pass, so no view has to remember to report it.
 */
import type { HugetuneApi } from '../../../shared/api';
import type { PlanResult } from '../../../shared/plan/plan';

export interface LastVerdict {
  model: string;
  runtime: string;
  machine: string;
  fits: boolean;
  needMiB: number;
  availableMiB: number;
  marginMiB: number;
  /** The constraints that failed, in words: the verdict is their conjunction. */
  failed: string[];
  pageSizeKiB: number;
  backing: PlanResult['backing'];
  hugepagesNeeded: number;
  /** vmemmap HVO would give back for this plan's pages. */
  hvoSavedKiB: number;
}

export const lastVerdict = $state<{ value: LastVerdict | null }>({ value: null });

export function recordPlan(p: PlanResult): void {
  lastVerdict.value = {
    model: p.model,
    runtime: p.runtime.name,
    machine: p.machine.label,
    fits: p.fits,
    needMiB: p.needMiB,
    availableMiB: p.availableMiB,
    marginMiB: p.marginMiB,
    failed: p.constraints.filter((c) => !c.ok).map((c) => c.message),
    pageSizeKiB: p.pageSizeKiB,
    backing: p.backing,
    hugepagesNeeded: p.hugepagesNeeded,
    hvoSavedKiB: p.vmemmap.savedKiB,
  };
}

/** The same API, with every plan result (alone or inside advice) recorded on its way to the view. */
export function recordingPlans(api: HugetuneApi): HugetuneApi {
  return {
    call: async (method, args) => {
      const value = await api.call(method, args);
      if (method === 'plan.run') recordPlan(value as PlanResult);
      else if (method === 'advise.run') {
        const plan = (value as { plan?: PlanResult | null }).plan;
        if (plan) recordPlan(plan);
      }
      return value;
    },
    subscribe: (event, listener) => api.subscribe(event, listener),
  };
}
