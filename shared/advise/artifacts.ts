/**
 * Everything the advisor hands the user, written from one list of changes: the files that make settings last
 * (sysctl.d, tmpfiles.d, limits.d, a systemd drop-in), the boot parameters, apply and rollback scripts, a TuneD
 * profile and an Ansible playbook. Pure: changes and a little context in, text out.
 *
 * Every value is checked first (runtime writes through the allow-list in settings.ts, names and boot words
 * through strict patterns); a refusal throws, so no artifact ever carries a value nobody validated.
 */
import type { Change } from './changes';
import { ansiblePlaybook } from './artifacts/ansible';
import { collect, type BootWords } from './artifacts/collect';
import { type FileArtifact, limitsConf, serviceDropIn, sysctlConf, tmpfilesConf } from './artifacts/files';
import { applyScript, rollbackScript } from './artifacts/scripts';
import type { ArtifactContext } from './artifacts/text';
import { tunedProfile } from './artifacts/tuned';

export type { ArtifactContext, LoaderEdit } from './artifacts/text';
export type { FileArtifact } from './artifacts/files';
export type { BootWords } from './artifacts/collect';
export { shQuote } from './artifacts/text';

export interface Artifacts {
  sysctlConf: FileArtifact | null;
  tmpfilesConf: FileArtifact | null;
  /**
   * The kernel parameters to add, as one string (saved under a name of its own: the loader's file is edited
   * through the boot edit, which knows which file the machine boots with).
   * Editing the loader's configuration is shared/advise/bootloader.ts's work; words to drop are in bootWords().
   */
  bootCmdline: FileArtifact | null;
  applyScript: FileArtifact | null;
  rollbackScript: FileArtifact | null;
  tunedProfile: FileArtifact | null;
  ansiblePlaybook: FileArtifact | null;
  serviceDropIn: FileArtifact | null;
  limitsConf: FileArtifact | null;
}

/** The boot parameters to add and to drop, checked, in order; null when no change touches the boot line. */
export function bootWords(changes: readonly Change[]): BootWords | null {
  return collect(changes).boot;
}

export function writeArtifacts(changes: readonly Change[], ctx: ArtifactContext): Artifacts {
  const c = collect(changes);
  const any = changes.length > 0;
  return {
    sysctlConf: sysctlConf(c, ctx),
    tmpfilesConf: tmpfilesConf(c, ctx),
    bootCmdline:
      c.boot && c.boot.add.length > 0 ? { path: 'hugetune-boot-cmdline.txt', text: c.boot.add.join(' ') } : null,
    applyScript: any ? applyScript(c, ctx) : null,
    rollbackScript: any ? rollbackScript(c, ctx) : null,
    tunedProfile: tunedProfile(c, ctx),
    ansiblePlaybook: ansiblePlaybook(c, ctx),
    serviceDropIn: serviceDropIn(c, ctx),
    limitsConf: limitsConf(c, ctx),
  };
}
