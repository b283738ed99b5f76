/**
 * The plan the user last set up in the Planner, shared with the Advisor and the Setup so "what should I set
 * for this?" answers for the same model, runtime and machine. A GGUF file read in the window (dropped or
 * picked) may not be on the machine the advisor reads: its model goes along (`ggufSpec`), read from the header
 * once, and `request.gguf` is then the file's name (`localModel`), not a path to open.
 */
import type { AdviceRequest } from '../../../shared/advise/request';
import type { ModelSpec } from '../../../shared/plan/model';
import type { PlanRequest } from '../../../shared/plan/request';

export const lastPlan = $state<{ request: PlanRequest | null; localModel: string | null; ggufSpec: ModelSpec | null }>({
  request: null,
  localModel: null,
  ggufSpec: null,
});

/** The advice request for the last plan (null: none yet), with the model of a GGUF read in the window. */
export function lastPlanAdvice(): AdviceRequest | null {
  if (!lastPlan.request) return null;
  const spec = lastPlan.ggufSpec;
  return { ...$state.snapshot(lastPlan.request), ...(spec ? { ggufSpec: $state.snapshot(spec) } : {}) };
}
