/**
 * The Planner's form, one field per plan flag. It lives here rather than in the view because the view is
 * mounted afresh on every switch: kept here, the plan the user set up is the one shown (and the one the
 * Advisor and the Setup take) when they come back, not the default again. Number fields are null while empty
 * or not a number.
 */
import type { PLANNED_ARCHES } from '../../../shared/plan/machine';
import type { LlamaBuild, RuntimeId } from '../../../shared/plan/runtimes';
import type { PlanResult } from '../../../shared/plan/plan';
import type { GgufFileModel } from './gguf-file';

export interface PlannerForm {
  source: 'catalog' | 'gguf' | 'footprint';
  model: string;
  quant: string;
  gguf: string;
  /** A GGUF file read in the window (dropped or picked). */
  ggufFile: GgufFileModel | null;
  footprintMiB: number | null;
  ctx: number | null;
  kvType: 'f16' | 'q8_0' | 'q4_0';
  runtime: RuntimeId | 'auto';
  llamaBuild: LlamaBuild;
  pageSize: string;
  hvo: boolean;
  noMmap: boolean;
  mlock: boolean;
  numa: 'interleave' | 'bind';
  slowTier: boolean;
  releasePools: boolean;
  machine: 'this' | 'planned';
  memGiB: number | null;
  nodes: number | null;
  arch: (typeof PLANNED_ARCHES)[number];
  basePage: '4K' | '16K' | '64K';
  kernel: string;
}

export const PLANNER_DEFAULTS: Readonly<PlannerForm> = {
  source: 'catalog',
  model: 'llama-3.3-70b',
  quant: 'Q4_K_M',
  gguf: '',
  ggufFile: null,
  footprintMiB: 40960,
  ctx: 8192,
  kvType: 'f16',
  runtime: 'auto',
  llamaBuild: 'current',
  pageSize: 'base',
  hvo: true,
  noMmap: false,
  mlock: false,
  numa: 'interleave',
  slowTier: false,
  releasePools: false,
  machine: 'this',
  memGiB: 128,
  nodes: 1,
  arch: 'x86_64',
  basePage: '4K',
  kernel: '6.12',
};

export const plannerForm = $state<PlannerForm>({ ...PLANNER_DEFAULTS });

/**
 * The last plan the Planner showed, and the source it was made on. Kept for the same reason as the form: back
 * on the Planner with a field still invalid, the plan the Advisor and the Setup take is shown (marked as the
 * last one that could be made), not "no plan yet". Read once when the view mounts, so it need not be reactive.
 */
export const plannerShown: { sourceVersion: number | null; result: PlanResult | null; other: PlanResult | null } = {
  sourceVersion: null,
  result: null,
  other: null,
};
