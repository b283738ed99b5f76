/**
 * The one pass every artifact writer starts from: each change checked (values through the allow-list, names
 * and words through strict patterns, so no file ever holds a value nobody validated) and the runtime writes
 * put in the order that works. Any refusal throws: a half-written set of artifacts would be worse than none.
 */
import { UserError } from '../../errors';
import { PATHS } from '../../host/paths';
import type { Change } from '../changes';
import { currentValue, refuse, sysctlOf } from '../settings';

export interface PlannedWrite {
  readonly path: string;
  readonly value: string;
  /** The value to restore (normalized to the word the file takes), or null when it was not known. */
  readonly before: string | null;
  /** The sysctl name for /proc/sys files, null for sysfs files. */
  readonly sysctl: string | null;
}

export interface BootWords {
  /** key or key=value words to add, in order (keys repeat: hugepagesz=1G hugepages=2 hugepagesz=2M ...). */
  readonly add: string[];
  /** Words to drop from the boot line. */
  readonly remove: string[];
}

export interface ServicePlan {
  /** The full unit name, with its .service suffix. */
  readonly unit: string;
  readonly environment: [string, string][];
  readonly numactl: string | null;
  readonly memlock: boolean;
}

export interface Collected {
  /** The runtime writes in apply order: HVO first, pools shrunk before any pool grows, otherwise as given. */
  readonly writes: PlannedWrite[];
  readonly boot: BootWords | null;
  /** Users (or @groups) that get an unlimited memlock limit. */
  readonly users: string[];
  readonly service: ServicePlan | null;
}

const fail = (message: string): never => {
  throw new UserError(message, 'bad-request');
};

/** The value after the allow-list, and without leading zeros: /proc/sys reads 010 as octal 8. */
function allowed(path: string, value: string, what: string): string {
  const why = refuse(path, value);
  if (why !== null) fail(`${what}: ${why}`);
  if (/^0\d/.test(value)) fail(`${what}: ${path}: ${JSON.stringify(value)} has a leading zero (read as octal)`);
  return value;
}

/**
 * The order the writes are made in. HVO goes first: only pages allocated while it is on are optimized. A pool
 * that shrinks goes before a pool that grows, so the memory it gives back is there for the other. A pool
 * whose size before is unknown counts as growing. Everything else keeps its place (the sort is stable).
 */
function rank(w: PlannedWrite): number {
  if (w.path === PATHS.hvoSysctl) return 0;
  if (w.path.endsWith('/nr_hugepages') && w.before !== null && Number(w.value) < Number(w.before)) return 1;
  return 2;
}

// Kernel parameter names (module.param, with - or _) and their values: no spaces, quotes, $, ; or anything a
// shell, an INI parser, YAML or a boot loader's own syntax would read differently.
const BOOT_KEY = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const BOOT_VALUE = /^[A-Za-z0-9_.,:+/@=-]{1,200}$/;

function bootWord(key: string, value: string | null): string {
  if (!BOOT_KEY.test(key)) fail(`boot parameter ${JSON.stringify(key)} is not a plain parameter name`);
  if (value === null) return key;
  if (!BOOT_VALUE.test(value))
    fail(`boot parameter ${key}: value ${JSON.stringify(value)} has characters refused here`);
  return `${key}=${value}`;
}

// systemd unit names: letters, digits and :-_.\@ (systemd.unit(5)); only services take a memlock limit here.
const UNIT = /^[A-Za-z0-9:_.\\@-]{1,248}$/;
function unitName(name: string): string {
  const full = /\.[a-z]+$/.test(name) ? name : `${name}.service`;
  if (!UNIT.test(full) || !full.endsWith('.service') || full.startsWith('.')) {
    fail(`${JSON.stringify(name)} is not a systemd service name`);
  }
  return full;
}

// A user name as useradd takes it (or @group, which limits.conf also takes), so the line has exactly 4 fields.
const LIMITS_DOMAIN = /^@?[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
// A numactl prefix: the program and plain options (--membind=0,1 --cpunodebind=0 --interleave=all -N 0).
const NUMACTL = /^numactl(?: [A-Za-z0-9_.,:=+/-]+){1,16}$/;

export function collect(changes: readonly Change[]): Collected {
  const writes: PlannedWrite[] = [];
  const seen = new Set<string>();
  const add: string[] = [];
  const remove: string[] = [];
  let anyBoot = false;
  const users: string[] = [];
  let service: { unit: string; environment: [string, string][]; numactl: string | null; memlock: boolean } | null =
    null;
  const serviceFor = (name: string) => {
    const unit = unitName(name);
    if (service && service.unit !== unit) fail(`changes name two services (${service.unit}, ${unit}): one at a time`);
    service ??= { unit, environment: [], numactl: null, memlock: false };
    return service;
  };

  for (const c of changes) {
    switch (c.kind) {
      case 'write': {
        if (seen.has(c.path)) fail(`${c.path} is written twice`);
        seen.add(c.path);
        const value = allowed(c.path, c.value, 'value');
        const before = c.before === null ? null : allowed(c.path, currentValue(c.before), 'value before');
        writes.push({ path: c.path, value, before, sysctl: sysctlOf(c.path) });
        break;
      }
      case 'boot':
        anyBoot = true;
        for (const s of c.set) add.push(bootWord(s.key, s.value));
        for (const r of c.remove) {
          const eq = r.indexOf('=');
          remove.push(eq < 0 ? bootWord(r, null) : bootWord(r.slice(0, eq), r.slice(eq + 1)));
        }
        break;
      case 'memlock':
        if (c.limit !== 'infinity') fail(`memlock limit ${JSON.stringify(c.limit)}: only infinity is written`);
        if (c.scope === 'user') {
          if (!LIMITS_DOMAIN.test(c.name)) fail(`${JSON.stringify(c.name)} is not a user name`);
          if (!users.includes(c.name)) users.push(c.name);
        } else serviceFor(c.name).memlock = true;
        break;
      case 'service': {
        const s = serviceFor(c.unit);
        for (const [name, value] of Object.entries(c.environment)) {
          if (!ENV_NAME.test(name)) fail(`${JSON.stringify(name)} is not an environment variable name`);
          // systemd rejects non-printable characters in values (systemd.exec(5), Environment=).
          if (/\p{Cc}/u.test(value)) fail(`${name}: the value holds a control character`);
          s.environment.push([name, value]);
        }
        if (c.numactl !== null) {
          const n = c.numactl.trim().replace(/\s+/g, ' ');
          if (!NUMACTL.test(n)) fail(`${JSON.stringify(c.numactl)} is not a plain numactl prefix`);
          s.numactl = n;
        }
        break;
      }
    }
  }
  // Stable: equal ranks keep the order they came in.
  const ordered = writes
    .map((w, i) => ({ w, i }))
    .sort((a, b) => rank(a.w) - rank(b.w) || a.i - b.i)
    .map((x) => x.w);
  return { writes: ordered, boot: anyBoot ? { add, remove } : null, users, service };
}
