/**
 * An advice request as every front end sends it: the plan flags (all optional: without a model the advice is
 * about the machine alone) plus who runs the model server. One function turns it into the plan and the advice.
 */
import type { Report } from '../host/report';
import { modelSpecSchema, type ModelSpec } from '../plan/model';
import { UserError } from '../errors';
import type { PlanResult } from '../plan/plan';
import { PLAN_REQUEST_SHAPE, isPlanned, runPlan } from '../plan/request';
import * as v from 'valibot';
import type { HostFiles } from '../host/files';
import { writeArtifacts, type Artifacts } from './artifacts';
import { detectBootLoader, planBootEdit, type BootEdit } from './bootloader';
import { recommend, type Advice } from './recommend';
import { WHO_SHAPE } from './who';
import type { FrontEnd } from '../controls';

export const adviceRequestSchema = v.strictObject({
  ...PLAN_REQUEST_SHAPE,
  ...WHO_SHAPE,
  /**
   * The model of the GGUF file named by `gguf`, read from its header where the file is (the app's window), for
   * a file that is not on the machine hugetune reads. Without it, `gguf` is a path that machine opens.
   */
  ggufSpec: v.optional(modelSpecSchema),
});

export type AdviceRequest = v.InferOutput<typeof adviceRequestSchema>;

export interface AdviceResult extends Advice {
  plan: PlanResult | null;
  /** The files and scripts that carry the changes out, written from the same merged list. */
  artifacts: Artifacts;
  /** The boot line change for the boot loader this machine uses (null: no boot change, or no machine to read). */
  bootEdit: BootEdit | null;
}

/** Whether the request names a model (and so asks for a plan). */
export function wantsPlan(r: AdviceRequest): boolean {
  return r.model !== undefined || r.gguf !== undefined || r.footprintMiB !== undefined;
}

/**
 * `spec` is the model of the GGUF file `r.gguf` names, read by the caller on the machine hugetune reads; a
 * request that carries its own (`ggufSpec`, read in the window) needs none. `version` is the hugetune version the artifacts name as their writer; `files` the machine's tree, so the
 * boot line is edited for the loader it really uses.
 */
export function runAdvice(
  r: AdviceRequest,
  report: Report | null,
  spec?: ModelSpec,
  version = 'dev',
  files: HostFiles | null = null,
  frontEnd: FrontEnd = 'cli',
): AdviceResult {
  const { user, unit, modelPath, ggufSpec, ...planReq } = r;
  if (ggufSpec !== undefined && r.gguf === undefined)
    throw new UserError("ggufSpec is the model of a GGUF file: give the file's name as gguf too", 'bad-request');
  const plan = wantsPlan(r) ? runPlan(planReq, report, spec ?? ggufSpec, frontEnd) : null;
  const machineReport = isPlanned(planReq) ? null : report;
  const advice = recommend(machineReport, plan, { user, unit, modelPath: modelPath ?? r.gguf, frontEnd });
  const machine = plan?.machine.label ?? report?.source.label ?? 'a planned machine';
  const title = plan ? `${plan.model} with ${plan.runtime.name}` : 'the machine';
  const boot = advice.changes.find((c) => c.kind === 'boot');
  const bootEdit = boot && files && machineReport ? planBootEdit(detectBootLoader(files), boot) : null;
  const loader = bootEdit && bootEdit.apply !== 'manual' && bootEdit.changed ? bootEdit : null;
  return {
    plan,
    ...advice,
    artifacts: writeArtifacts(advice.changes, { version, title, machine, loader }),
    bootEdit,
  };
}
