/**
 * /etc/os-release (os-release(5)): shell-style `KEY=value` lines, values optionally in double or single quotes
 * with backslash escapes inside double quotes. Only what tells distributions apart is kept: ID, ID_LIKE (the
 * families a derivative follows: Ubuntu says `debian`, Rocky says `rhel centos fedora`), the name and version.
 * Pure, and never throws: an unreadable line is skipped, as the tools that source the file would trip on it too.
 */

export interface OsRelease {
  /** Lower-case identifier, e.g. `debian`, `ubuntu`, `fedora`, `pop`; null when the file does not say. */
  readonly id: string | null;
  /** ID_LIKE split into words, e.g. ['ubuntu', 'debian'] for Pop!_OS. */
  readonly idLike: readonly string[];
  /** PRETTY_NAME, else NAME. */
  readonly name: string | null;
  readonly versionId: string | null;
}

function unquote(v: string): string {
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) return v.slice(1, -1).replace(/\\(["\\`$])/g, '$1');
  if (v.length >= 2 && v.startsWith("'") && v.endsWith("'")) return v.slice(1, -1);
  return v;
}

export function parseOsRelease(text: string): OsRelease {
  const vars = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) vars.set(m[1]!, unquote(m[2]!.trim()));
  }
  const id = vars.get('ID')?.toLowerCase() || null;
  const like = (vars.get('ID_LIKE') ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  return {
    id,
    idLike: like,
    name: vars.get('PRETTY_NAME') || vars.get('NAME') || null,
    versionId: vars.get('VERSION_ID') || null,
  };
}

/** The distribution and every family it says it follows, for "is this Debian-like" questions. */
export function osFamilies(os: OsRelease): string[] {
  return [...(os.id ? [os.id] : []), ...os.idLike];
}
