/**
 * The plan the user last set up in the Planner, shared with the Advisor so "what should I set for this?"
 * answers for the same model, runtime and machine. A GGUF file read in the window (dropped or picked) is not
 * on the machine the advisor reads, so it is named instead of passed on (`localModel`).
 */
import type { PlanRequest } from '../../../shared/plan/request';

export const lastPlan = $state<{ request: PlanRequest | null; localModel: string | null }>({
  request: null,
  localModel: null,
});
