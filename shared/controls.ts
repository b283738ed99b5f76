/**
 * How advice names the controls a person uses to act on it: the command line by its flags, the app by the
 * labels on its screens (which take their text from here, so the two cannot drift apart).
 */
export type FrontEnd = 'cli' | 'app';

export const CONTROLS = {
  footprint: { cli: '--footprint-mib', app: 'Footprint size' },
  releasePools: { cli: '--release-pools', app: 'Release pools of other sizes' },
  user: { cli: '--user', app: 'User running the server' },
  unit: { cli: '--unit', app: 'Its systemd unit' },
} as const;

/** The control as the front end shows it: a flag as it is typed, a label in quotes. */
export function controlName(id: keyof typeof CONTROLS, frontEnd: FrontEnd): string {
  return frontEnd === 'cli' ? CONTROLS[id].cli : `“${CONTROLS[id].app}”`;
}
