/**
 * What-if edits to a profile, the same from the CLI (`--set key=value`) and the Simulator view. Pool counts
 * are spread over the nodes with CPUs, as writing nr_hugepages does over online nodes.
 */
import { parseRelease } from '../host/parse/scalar';
import { parseStrictNumber, type NumberRule } from '../numbers';
import { printable } from '../text';
import { numberText } from '../number-text';
import { NODE_GIB, parseProfile, POOL_PAGES_MAX, SCENARIOS, type Profile } from './profile';

export interface Edits {
  memGiB?: number[];
  release?: string;
  thp?: Profile['thp'];
  hvo?: boolean;
  pool2m?: number;
  pool1g?: number;
  cmdline?: string;
  fragmentation?: number;
  scenario?: Profile['scenario'];
}

export const EDIT_KEYS = [
  'mem-gib',
  'release',
  'thp',
  'hvo',
  'pool-2m',
  'pool-1g',
  'cmdline',
  'fragmentation',
  'scenario',
] as const;

export function spread(count: number, nodes: Profile['nodes']): number[] {
  const k = nodes.filter((n) => n.cpus > 0).length;
  let i = 0;
  return nodes.map((n) => (n.cpus > 0 ? Math.floor(count / k) + (i++ < count % k ? 1 : 0) : 0));
}

/** The edited profile, validated, or why it is not a valid machine. */
export function applyEdits(base: Profile, e: Edits): { ok: true; value: Profile } | { ok: false; error: string } {
  if (e.memGiB && e.memGiB.length !== base.nodes.length) {
    return {
      ok: false,
      error: `mem-gib: ${base.nodes.length} node${base.nodes.length > 1 ? 's' : ''}, ${e.memGiB.length} size${e.memGiB.length > 1 ? 's' : ''} given`,
    };
  }
  const nodes = base.nodes.map((n, i) => ({ ...n, memGiB: e.memGiB?.[i] ?? n.memGiB }));
  const pools = base.pools.filter((p) => p.sizeKiB !== 2048 && p.sizeKiB !== 1048576);
  const count = (size: number, given: number | undefined) =>
    given ?? base.pools.find((p) => p.sizeKiB === size)?.perNode.reduce((a, b) => a + b, 0) ?? 0;
  const n2m = count(2048, e.pool2m);
  const n1g = count(1048576, e.pool1g);
  if (n2m > 0) pools.push({ sizeKiB: 2048, perNode: spread(n2m, nodes) });
  if (n1g > 0) pools.push({ sizeKiB: 1048576, perNode: spread(n1g, nodes) });
  const edited = {
    ...base,
    id: base.id.endsWith('-what-if') ? base.id : `${base.id}-what-if`,
    description: `what-if of ${base.id}`,
    nodes,
    pools,
    ...(e.release !== undefined ? { release: e.release } : {}),
    ...(e.thp !== undefined ? { thp: e.thp } : {}),
    ...(e.hvo !== undefined ? { hvo: e.hvo } : {}),
    ...(e.cmdline !== undefined ? { cmdline: e.cmdline } : {}),
    ...(e.fragmentation !== undefined ? { fragmentation: e.fragmentation } : {}),
    ...(e.scenario !== undefined ? { scenario: e.scenario } : {}),
  };
  return parseProfile(edited);
}

/** `key=value` from the command line into an edit; a message when the key or value is not understood. */
export function parseEdit(text: string, into: Edits): string | null {
  const eq = text.indexOf('=');
  // Quoted back in messages: never with the control characters it may hold.
  const key = printable(eq === -1 ? text : text.slice(0, eq), { max: 40 });
  const raw = eq === -1 ? '' : text.slice(eq + 1);
  const value = printable(raw, { max: 80 });
  const num = (rule: NumberRule) => parseStrictNumber(raw, rule);
  switch (key) {
    case 'mem-gib': {
      const sizes = raw.split(',').map((x) => parseStrictNumber(x, { ...NODE_GIB, unit: 'GiB' }));
      if (raw === '' || sizes.some((x) => !x.ok))
        return `mem-gib=${value}: expected GiB per node as decimal numbers from ${numberText(NODE_GIB.min)} to ${numberText(NODE_GIB.max)}, e.g. 512,512`;
      into.memGiB = sizes.map((x) => (x.ok ? x.value : 0));
      return null;
    }
    case 'release': {
      const r = parseRelease(raw);
      if (!r.ok || raw !== raw.trim()) return `release=${value}: expected a kernel release such as 6.8.0-45-generic`;
      into.release = raw;
      return null;
    }
    case 'thp':
      if (value !== 'always' && value !== 'madvise' && value !== 'never')
        return `thp=${value}: expected always, madvise or never`;
      into.thp = value;
      return null;
    case 'hvo':
      if (value !== 'on' && value !== 'off') return `hvo=${value}: expected on or off`;
      into.hvo = value === 'on';
      return null;
    case 'pool-2m':
    case 'pool-1g': {
      const n = num({ min: 0, max: POOL_PAGES_MAX, integer: true, unit: 'pages' });
      if (!n.ok) return `${key}=${value}: ${n.error}`;
      if (key === 'pool-2m') into.pool2m = n.value;
      else into.pool1g = n.value;
      return null;
    }
    case 'cmdline':
      // The simulator writes it to /proc/cmdline, one line of visible text as a boot loader passes it.
      if (printable(raw) !== raw || raw.length > 4096) return `cmdline=${value}: expected one line of visible text`;
      into.cmdline = raw;
      return null;
    case 'fragmentation': {
      const n = num({ min: 0, max: 1, unit: '(0 a fresh boot, 1 memory in small pieces)' });
      if (!n.ok) return `fragmentation=${value}: ${n.error}`;
      into.fragmentation = n.value;
      return null;
    }
    case 'scenario':
      if (!(SCENARIOS as readonly string[]).includes(value))
        return `scenario=${value}: expected one of ${SCENARIOS.join(', ')}`;
      into.scenario = value as Profile['scenario'];
      return null;
    default:
      return `unknown setting '${key}' (one of ${EDIT_KEYS.join(', ')})`;
  }
}
