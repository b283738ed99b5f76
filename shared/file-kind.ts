/**
 * The JSON files hugetune reads, told apart by what they hold, so a file opened in the wrong place is named
 * for what it is and where it opens instead of being refused field by field ("id: missing").
 */

export const SNAPSHOT_FORMAT = 'hugetune-snapshot';
export const JOURNAL_FORMAT = 'hugetune-journal';

export type FileKind = 'snapshot' | 'profile' | 'journal';

const NAMES: Record<FileKind, string> = {
  snapshot: 'a hugetune snapshot',
  profile: 'a machine profile',
  journal: 'a hugetune journal',
};

/** Where each kind opens, in the app and on the command line (the names in README.md and hugetune --help). */
const OPENS: Record<FileKind, string> = {
  snapshot: 'open it with Switch source → Open snapshot… (or --snapshot FILE)',
  profile: 'load it in the Simulator with Load a saved profile (or --sim FILE.json)',
  journal: 'undo what it records with hugetune rollback FILE',
};

/** Which kind of hugetune file parsed JSON is, or null when it is none of them. */
export function fileKindOf(json: unknown): FileKind | null {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return null;
  const o = json as Record<string, unknown>;
  if (o.format === SNAPSHOT_FORMAT) return 'snapshot';
  if (o.format === JOURNAL_FORMAT) return 'journal';
  // A profile has no format field; these three a profile must have, and no other file hugetune reads has them.
  if (o.format === undefined && Array.isArray(o.nodes) && typeof o.release === 'string' && typeof o.arch === 'string')
    return 'profile';
  return null;
}

/**
 * When JSON that should be `wanted` is another kind of hugetune file, one line saying which kind and where it
 * opens ("this is a hugetune snapshot, not a machine profile: open it with ..."); else null.
 */
export function otherKind(json: unknown, wanted: FileKind): string | null {
  const kind = fileKindOf(json);
  if (kind === null || kind === wanted) return null;
  return `this is ${NAMES[kind]}, not ${NAMES[wanted]}: ${OPENS[kind]}`;
}
