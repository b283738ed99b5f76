/**
 * What the guided setup has applied, kept outside the Setup view so that switching tabs does not lose the
 * steps (and with them the one-click rollback). It belongs to one source and one scope: `key` says which.
 */
import type { SetupResult } from '../../../shared/api';

export const setupState = $state<{
  key: string | null;
  done: SetupResult['results'];
  where: string | null;
  rolledBack: SetupResult['results'] | null;
}>({ key: null, done: [], where: null, rolledBack: null });
