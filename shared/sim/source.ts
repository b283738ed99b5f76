/**
 * A simulated machine as a file tree that moves with time: simulated seconds advance with the clock (times
 * `speed`), and the tree is rewritten at most once per simulated second. Readers and the sampler see it
 * exactly as they see a live machine.
 */
import { MemoryFiles, type DirList, type FileRead, type HostFiles, type SourceInfo } from '../host/files';
import type { SimMachine } from './machine';
import { writeTree } from './write';

/** Simulated boot time: a fixed date, so the same profile gives the same samples. */
const BOOT_EPOCH_MS = Date.UTC(2026, 0, 1);

export class SimFiles implements HostFiles {
  readonly source: SourceInfo;
  private readonly clock: () => number;
  /** Simulated seconds per real second. */
  readonly speed: number;
  private readonly startClock: number;
  private readonly startSeconds: number;
  private cache: { second: number; files: MemoryFiles } | null = null;

  constructor(
    readonly machine: SimMachine,
    opts: { clock?: () => number; speed?: number; label?: string } = {},
  ) {
    this.clock = opts.clock ?? Date.now;
    this.speed = opts.speed ?? 1;
    this.startClock = this.clock();
    this.startSeconds = machine.seconds;
    this.source = { kind: 'sim', label: opts.label ?? `simulator: ${machine.profile.id}` };
  }

  /** Forgets the written tree after the machine changed outside time (a setting written), so reads see it. */
  changed(): void {
    this.cache = null;
  }

  private sync(): void {
    this.machine.seconds = this.startSeconds + ((this.clock() - this.startClock) / 1000) * this.speed;
  }

  private tree(): MemoryFiles {
    this.sync();
    const second = Math.floor(this.machine.seconds);
    if (this.cache?.second !== second)
      this.cache = { second, files: MemoryFiles.fromTexts(this.source, writeTree(this.machine)) };
    return this.cache.files;
  }

  /** The simulated machine's own time, for samples. */
  now(): number {
    this.sync();
    return BOOT_EPOCH_MS + this.machine.seconds * 1000;
  }

  read(path: string): FileRead {
    return this.tree().read(path);
  }

  list(dir: string): DirList {
    return this.tree().list(dir);
  }
}
