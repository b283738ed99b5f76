/**
 * The plan the user last set up in the Planner, shared with the Advisor so "what should I set for this?"
 * answers for the same model, runtime and machine.
 */
import type { PlanRequest } from '../../../shared/plan/request';

export const lastPlan = $state<{ request: PlanRequest | null }>({ request: null });
