/**
 * A source's name as the top bar has room for it. A path ("fake root /srv/captures/rack-4/node-17") is cut
 * at its start, not its end: the last directories are what tells one capture from another, and an ellipsis
 * at the end would hide exactly them. Other names are left to the bar's own ellipsis. The whole name is on
 * hover and, readable by anyone, at the top of the open source menu.
 */
export const SOURCE_LABEL_MAX = 48;

export function shortSourceLabel(source: { kind: string; label: string }, max = SOURCE_LABEL_MAX): string {
  const { label } = source;
  // Only a fake root's name is a path; a snapshot's file name may hold a slash and is left whole.
  if (source.kind !== 'root' || label.length <= max) return label;
  const slash = label.indexOf('/');
  if (slash < 0) return label;
  const head = label.slice(0, slash);
  const parts = label.slice(slash).split('/');
  // Whole trailing segments, as many as fit after "…/"; at least the last one.
  let tail = parts.at(-1) ?? '';
  for (let i = parts.length - 2; i > 0; i--) {
    const longer = `${parts[i]}/${tail}`;
    if (head.length + 2 + longer.length > max) break;
    tail = longer;
  }
  return `${head}…/${tail}`;
}
