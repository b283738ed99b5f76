/**
 * What the guided setup is working through and has applied, kept outside the Setup view so that switching
 * tabs loses neither the steps nor their results (and with them the one-click rollback). The advice is kept
 * with them: read again once steps are applied, it would list only what is left, out of step with the results.
 * The plan, though, is planned again on the machine as each step leaves it (`plan`), so the constraints shown
 * are the machine's now. It belongs to one source and one scope: `key` says which.
 */
import type { SetupResult } from '../../../shared/api';
import type { AdviceResult } from '../../../shared/advise/request';
import type { PlanResult } from '../../../shared/plan/plan';

export const setupState = $state<{
  key: string | null;
  advice: AdviceResult | null;
  /** The plan on the machine as it is now (null: no plan asked for, or not read yet). */
  plan: PlanResult | null;
  done: SetupResult['results'];
  where: string | null;
  rolledBack: SetupResult['results'] | null;
}>({ key: null, advice: null, plan: null, done: [], where: null, rolledBack: null });
