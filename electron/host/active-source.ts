/**
 * The source a running front end shows: the one it was started with, or a snapshot the user opened in the
 * app. Handlers and the sampler always read through this, so switching is one assignment.
 */
import type { HostFiles } from '../../shared/host/files';

/** Throws (a UserError, for the caller to see) when a switch may not happen. */
export type SwitchGuard = (source: ActiveSource, next: HostFiles) => void;

export class ActiveSource {
  private files: HostFiles;
  private generation = 0;

  constructor(
    readonly initial: HostFiles,
    private readonly guard?: SwitchGuard,
  ) {
    this.files = initial;
  }

  get current(): HostFiles {
    return this.files;
  }

  /** Increases on every switch; lets clients tell a new source from a refresh of the same one. */
  get version(): number {
    return this.generation;
  }

  use(files: HostFiles): void {
    this.guard?.(this, files);
    this.files = files;
    this.generation++;
  }

  reset(): void {
    if (this.files !== this.initial) this.use(this.initial);
  }
}
