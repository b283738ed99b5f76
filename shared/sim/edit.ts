/**
 * What-if edits to a profile, the same from the CLI (`--set key=value`) and the Simulator view. Pool counts
 * are spread over the nodes with CPUs, as writing nr_hugepages does over online nodes.
 */
import { parseProfile, SCENARIOS, type Profile } from './profile';

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
  const key = eq === -1 ? text : text.slice(0, eq);
  const value = eq === -1 ? '' : text.slice(eq + 1);
  const num = (min: number, max: number): number | null => {
    const n = Number(value);
    return value.trim() !== '' && Number.isFinite(n) && n >= min && n <= max ? n : null;
  };
  switch (key) {
    case 'mem-gib': {
      const sizes = value.split(',').map(Number);
      if (value === '' || sizes.some((x) => !Number.isFinite(x) || x <= 0 || x > 65536))
        return `mem-gib=${value}: expected GiB per node, e.g. 512,512`;
      into.memGiB = sizes;
      return null;
    }
    case 'release':
      if (!/^\d+\.\d+/.test(value)) return `release=${value}: expected a kernel release such as 6.8.0-45-generic`;
      into.release = value;
      return null;
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
      const n = num(0, 1 << 24);
      if (n === null || !Number.isInteger(n)) return `${key}=${value}: expected a page count`;
      if (key === 'pool-2m') into.pool2m = n;
      else into.pool1g = n;
      return null;
    }
    case 'cmdline':
      into.cmdline = value;
      return null;
    case 'fragmentation': {
      const n = num(0, 1);
      if (n === null) return `fragmentation=${value}: expected 0 to 1`;
      into.fragmentation = n;
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
