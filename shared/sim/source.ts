/**
 * A simulated machine as a file tree that moves with time: simulated seconds advance with the clock (times
 * `speed`), and the tree is rewritten at most once per simulated second, for that whole second. Readers and the
 * sampler see it exactly as they see a live machine: `now()` gives the moment the tree's counters are for, so a
 * rate (counter delta over time delta) is the scenario's rate however irregular the sampling.
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
  /** Bumped when the machine is changed outside time: a copy taken before then no longer has the same tree. */
  private generation = 0;
  /**
   * The machine this one is a copy of, while neither has changed since: the two write the same tree each
   * second, so the copy reads the original's (many tabs on one simulated machine write one tree, not one each).
   */
  private origin: { files: SimFiles; generation: number } | null = null;
  /** Set by now() until the current task ends: the reads that follow a time stamp see the tree it names. */
  private pinned = false;
  private pins = 0;

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
    this.generation++;
    this.origin = null;
  }

  private sync(): void {
    this.machine.seconds = this.startSeconds + ((this.clock() - this.startClock) / 1000) * this.speed;
  }

  private tree(): { second: number; files: MemoryFiles } {
    if (this.pinned && this.cache) return this.cache;
    this.sync();
    const second = Math.floor(this.machine.seconds);
    if (this.cache?.second !== second) {
      const o = this.origin;
      this.cache = o && o.files.generation === o.generation ? o.files.treeAt(second) : this.written(second);
    }
    return this.cache;
  }

  private written(second: number): { second: number; files: MemoryFiles } {
    return { second, files: MemoryFiles.fromTexts(this.source, writeTree(this.machine, second)) };
  }

  /** The tree for a given second, for a copy that reads this machine's (see `origin`). */
  private treeAt(second: number): { second: number; files: MemoryFiles } {
    if (this.cache?.second === second) return this.cache;
    this.sync();
    const tree = this.written(second);
    // Kept for the next reader unless this machine's own reads are pinned to the second they stamped.
    if (!this.pinned) this.cache = tree;
    return tree;
  }

  /**
   * The simulated machine's own time, for samples: the whole second the counters were written for, not the
   * exact clock, which may lie up to a second past it. The tree stays pinned while the caller reads the files
   * that go with this stamp (synchronously, as the sampler does), so a second boundary crossed between the stamp
   * and the reads cannot put a later second's counts under an earlier time.
   */
  now(): number {
    this.pinned = false;
    const { second } = this.tree();
    this.pinned = true;
    const pin = ++this.pins;
    queueMicrotask(() => {
      if (pin === this.pins) this.pinned = false;
    });
    return BOOT_EPOCH_MS + second * 1000;
  }

  /** The same machine at the same moment, running on from here on its own: what is written to one is not in the other. */
  fork(): SimFiles {
    this.sync();
    const copy = new SimFiles(this.machine.clone(), { clock: this.clock, speed: this.speed, label: this.source.label });
    // The same machine in the same second has the same tree: until either is changed, the copy reads this
    // one's rather than writing its own (at 4,096 CPUs, most of what a new web session's first report costs,
    // and a tree a second for each open tab). Trees are never changed in place.
    copy.origin = { files: this, generation: this.generation };
    return copy;
  }

  /** The tree written for the current simulated second (or the one a time stamp pinned); never changed in place. */
  frozen(): HostFiles {
    return this.tree().files;
  }

  read(path: string): FileRead {
    return this.tree().files.read(path);
  }

  list(dir: string): DirList {
    return this.tree().files.list(dir);
  }
}
