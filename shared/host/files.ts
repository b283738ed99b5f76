/**
 * The one abstraction every machine source implements: a read-only tree of kernel text files addressed by
 * their absolute kernel path ("/proc/meminfo", "/sys/kernel/mm/..."). A live machine, a fake root, a snapshot
 * and the simulator all look the same to the readers through this interface.
 */

export type FileRead =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'missing' }
  | { readonly kind: 'denied' }
  | { readonly kind: 'error'; readonly message: string };

export type DirList =
  | {
      readonly kind: 'entries';
      readonly names: readonly string[];
      /**
       * The names among `names` that are symbolic links, where the tree has such things (a real file
       * system). Walks must not follow them: sysfs links (`subsystem`, `device`, ...) lead out of the
       * directory being walked, and a link in a fake root can point anywhere.
       */
      readonly links?: readonly string[];
    }
  | { readonly kind: 'missing' }
  | { readonly kind: 'denied' }
  | { readonly kind: 'error'; readonly message: string };

export type SourceKind = 'live' | 'root' | 'snapshot' | 'sim';

export interface SourceInfo {
  readonly kind: SourceKind;
  /** What a person sees in the source switcher, e.g. "this machine" or "fake root /tmp/box". */
  readonly label: string;
}

export interface HostFiles {
  readonly source: SourceInfo;
  /** Reads one file; never throws. */
  read(path: string): FileRead;
  /** Lists the names in one directory; never throws. */
  list(dir: string): DirList;
  /** The machine's own clock in ms, where it is not the wall clock (the simulator). */
  now?(): number;
  /**
   * A copy for one viewer that may change it (a simulated machine, which settings are written to): each web
   * session applies its own. Sources nobody writes to (this machine's /proc, a snapshot) have none.
   */
  fork?(): HostFiles;
  /**
   * The files as they are now, as a tree nothing ever changes: the same object for as long as they stay the
   * same. What is read from it can be kept with it (./report-cache). Absent where the files change under the
   * reader (a live machine, a directory).
   */
  frozen?(): HostFiles;
}

/** An in-memory tree: what snapshots and the simulator produce, and what tests build by hand. */
export class MemoryFiles implements HostFiles {
  private readonly dirs = new Map<string, Set<string>>();

  constructor(
    readonly source: SourceInfo,
    private readonly files: ReadonlyMap<string, FileRead>,
  ) {
    for (const path of files.keys()) {
      let child = path;
      let parent = parentOf(child);
      while (parent !== null) {
        let names = this.dirs.get(parent);
        if (!names) {
          names = new Set();
          this.dirs.set(parent, names);
        }
        names.add(child.slice(child.lastIndexOf('/') + 1));
        child = parent;
        parent = parentOf(child);
      }
    }
  }

  static fromTexts(source: SourceInfo, texts: Record<string, string>): MemoryFiles {
    const map = new Map<string, FileRead>();
    for (const [path, text] of Object.entries(texts)) map.set(path, { kind: 'text', text });
    return new MemoryFiles(source, map);
  }

  /** Never changed once made. */
  frozen(): HostFiles {
    return this;
  }

  read(path: string): FileRead {
    return this.files.get(path) ?? { kind: 'missing' };
  }

  list(dir: string): DirList {
    const names = this.dirs.get(dir.length > 1 && dir.endsWith('/') ? dir.slice(0, -1) : dir);
    return names ? { kind: 'entries', names: [...names].sort() } : { kind: 'missing' };
  }
}

function parentOf(path: string): string | null {
  if (path === '/' || !path.startsWith('/')) return null;
  const i = path.lastIndexOf('/');
  return i === 0 ? '/' : path.slice(0, i);
}
