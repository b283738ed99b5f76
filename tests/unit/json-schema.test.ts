/**
 * The exported JSON Schema for snapshots and profiles: the committed files are what the Valibot schemas make,
 * real snapshots and profiles pass them with a standard validator (ajv), and what hugetune refuses for its
 * shape, the exported schema refuses too.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureSnapshot } from '../../electron/host/snapshot-io';
import { openSim } from '../../electron/host/sim-source';
import { parseSnapshot, snapshotSchema, type Snapshot } from '../../shared/host/snapshot';
import { KERNEL_RELEASE } from '../../shared/kernel/version';
import { applyEdits } from '../../shared/sim/edit';
import { parseProfile, profileSchema } from '../../shared/sim/profile';
import { PROFILES } from '../../shared/sim/profiles';
import { validate } from '../../shared/validate';
import { CLI, fixtureFiles, REPO, VM, VM_TUNED } from '../helpers';
import { renderJsonSchemas, SCHEMA_DIR } from '../json-schemas';

const committed = (file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(SCHEMA_DIR, file), 'utf8')) as Record<string, unknown>;

let tmp = '';
let ajvSnapshot: ValidateFunction;
let ajvProfile: ValidateFunction;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'hugetune-json-schema-'));
  // Strict mode: an unknown keyword or a pattern ajv cannot compile is an error, not something skipped.
  const ajv = new Ajv({ strict: true });
  ajvSnapshot = ajv.compile(committed('snapshot.schema.json'));
  ajvProfile = ajv.compile(committed('profile.schema.json'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
const why = (f: ValidateFunction): string => JSON.stringify(f.errors?.slice(0, 2));

describe('JSON Schema files in resources/schema', () => {
  it('are what the Valibot schemas make (run `npm run gen:schemas` and commit them when this fails)', async () => {
    const rendered = await renderJsonSchemas();
    // `npm run gen:schemas` runs this test with the variable set: it writes the files, then checks them.
    if (process.env.HUGETUNE_WRITE_SCHEMAS === '1') {
      mkdirSync(SCHEMA_DIR, { recursive: true });
      for (const r of rendered) writeFileSync(join(SCHEMA_DIR, r.file), r.text);
    }
    for (const r of rendered) {
      const shipped = readFileSync(join(SCHEMA_DIR, r.file), 'utf8');
      expect(shipped === r.text, `resources/schema/${r.file} is stale: run \`npm run gen:schemas\``).toBe(true);
    }
  });

  it('state the limits hugetune checks', () => {
    const snap = committed('snapshot.schema.json') as { properties: Record<string, Record<string, unknown>> };
    expect(snap.properties.files).toMatchObject({ maxProperties: 20_000, propertyNames: { maxLength: 255 } });
    expect(snap.properties.format).toEqual({ const: 'hugetune-snapshot' });
    const profile = committed('profile.schema.json') as {
      additionalProperties: boolean;
      properties: Record<string, Record<string, unknown>>;
    };
    expect(profile.additionalProperties).toBe(false);
    expect(profile.properties.sockets).toMatchObject({ type: 'integer', minimum: 1, maximum: 16 });
    expect(profile.properties.release).toMatchObject({ maxLength: 80, pattern: KERNEL_RELEASE.source });
  });
});

describe('real snapshots pass the exported schema', () => {
  const check = (name: string, snap: unknown) => {
    expect(ajvSnapshot(snap), `${name}: ${why(ajvSnapshot)}`).toBe(true);
    const own = parseSnapshot(JSON.stringify(snap));
    expect(own.ok, `${name}: ${own.ok ? '' : own.error}`).toBe(true);
  };

  it('captures of the kernel fixtures, redacted or not', () => {
    for (const root of [VM, VM_TUNED]) {
      check(root, clone(captureSnapshot(fixtureFiles(root), false)));
      check(root, clone(captureSnapshot(fixtureFiles(root), true)));
    }
  });

  it('one written by `hugetune snapshot`', () => {
    const file = join(tmp, 'cli.json');
    const r = spawnSync(process.execPath, [CLI, 'snapshot', '-o', file, '--root', VM_TUNED], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    check('hugetune snapshot', JSON.parse(readFileSync(file, 'utf8')));
  });

  it('one written by the shell capture script (every file in base64)', () => {
    const script = join(REPO, 'resources/capture/hugetune-capture.sh');
    const r = spawnSync('sh', [script, '--root', VM], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const snap = JSON.parse(r.stdout) as Snapshot;
    expect(snap.files['/proc/sys/kernel/osrelease']).toHaveProperty('base64');
    check('capture script', snap);
  });

  it('the simulator’s machines, as the Simulator exports them', () => {
    for (const p of PROFILES) check(p.id, clone(captureSnapshot(openSim(p.id), true)));
  });
});

describe('real profiles pass the exported schema', () => {
  it('every built-in profile, and a what-if edit of each', () => {
    for (const p of PROFILES) {
      expect(ajvProfile(clone(p)), `${p.id}: ${why(ajvProfile)}`).toBe(true);
      const edited = applyEdits(p, { release: '6.12.0-rc3+', fragmentation: 0.9 });
      expect(edited.ok).toBe(true);
      if (edited.ok) expect(ajvProfile(clone(edited.value)), why(ajvProfile)).toBe(true);
    }
  });
});

// A machine with a pool, so pool fields have a place to go wrong.
const base = clone(PROFILES.find((p) => p.pools.length > 0)!) as unknown as Record<string, unknown>;
const snapshotBase = (): Record<string, unknown> => clone(captureSnapshot(fixtureFiles(VM), true));

describe('what hugetune refuses, the exported schema refuses', () => {
  const ESC = '\u001b]0;pwned\u0007';
  const badProfiles: [string, (p: Record<string, unknown>) => void, RegExp][] = [
    ['an impossible release', (p) => (p.release = '6.x'), /^release: expected a kernel release/],
    ['a release with escapes', (p) => (p.release = `6.8.0${ESC}`), /^release: .*got "6\.8\.0\]0;pwned"$/],
    ['a release with a space', (p) => (p.release = '6.8.0 generic'), /^release:/],
    ['a release with a slash', (p) => (p.release = '6.8.0/../../x'), /^release:/],
    ['an unknown key', (p) => (p.exec = 'rm -rf /'), /^exec: unknown key$/],
    ['a missing key', (p) => delete p.arch, /^arch: missing, expected one of "x86_64", "aarch64"$/],
    ['no nodes', (p) => (p.nodes = []), /^nodes: expected an array of 1 to 64 items, got an empty array$/],
    ['a string for a number', (p) => (p.sockets = '2'), /^sockets: expected an integer from 1 to 16, got "2"$/],
    [
      'a fraction for an integer',
      (p) => (p.seed = 1.5),
      /^seed: expected an integer from 0 to 2,147,483,648, got 1.5$/,
    ],
    ['an unknown THP mode', (p) => (p.thp = 'sometimes'), /^thp: expected one of "always", "madvise", "never"/],
    [
      'a pool count out of range',
      (p) => ((p.pools as { perNode: number[] }[])[0]!.perNode[0] = -1),
      /^pools\[0\]\.perNode\[0\]: expected an integer from 0 to 16,777,216, got -1$/,
    ],
    [
      'nine pools',
      (p) => (p.pools = Array.from({ length: 9 }, () => ({ sizeKiB: 2048, perNode: [1] }))),
      /^pools: expected an array/,
    ],
  ];
  it.each(badProfiles)('a profile with %s', (_what, spoil, message) => {
    const p = clone(base);
    spoil(p);
    expect(ajvProfile(p)).toBe(false);
    const own = parseProfile(p);
    expect(own.ok ? '' : own.error).toMatch(message);
  });

  const badSnapshots: [string, (s: Record<string, unknown>) => void, RegExp][] = [
    [
      'a release with escapes',
      (s) => ((s.files as Record<string, unknown>)['/proc/sys/kernel/osrelease'] = { text: `6.18.0${ESC}\n` }),
      /^malformed: files\["\/proc\/sys\/kernel\/osrelease"\]\.text: expected a kernel release/,
    ],
    [
      'an impossible release',
      (s) => ((s.files as Record<string, unknown>)['/proc/sys/kernel/osrelease'] = { text: 'Linux\n' }),
      /osrelease"\]\.text: expected a kernel release such as 6\.8\.0-45-generic, got "Linux"$/,
    ],
    ['an unknown key', (s) => (s.exec = 1), /^malformed: exec: unknown key/],
    ['a newer format version', (s) => (s.version = 2), /newer than this hugetune reads/],
    ['a bad capture time', (s) => (s.capturedAt = 'yesterday'), /^malformed: capturedAt: expected a UTC time/],
    [
      'a path with ..',
      (s) => ((s.files as Record<string, unknown>)['/proc/../etc/shadow'] = { text: '' }),
      /is not a kernel file path/,
    ],
    [
      'a file entry of the wrong shape',
      (s) => ((s.files as Record<string, unknown>)['/proc/meminfo'] = { text: 5 }),
      /^malformed: files\["\/proc\/meminfo"\]\.text: expected a string of at most 67,108,864 characters, got 5$/,
    ],
    [
      'base64 outside its alphabet',
      (s) => ((s.files as Record<string, unknown>)['/proc/meminfo'] = { base64: 'not base64!' }),
      /^malformed: files\["\/proc\/meminfo"\]\.base64: expected base64 text/,
    ],
    ['files as an array', (s) => (s.files = []), /^malformed: files: expected an object of file paths, got an array$/],
  ];
  it.each(badSnapshots)('a snapshot with %s', (_what, spoil, message) => {
    const s = snapshotBase();
    spoil(s);
    expect(ajvSnapshot(s)).toBe(false);
    const own = parseSnapshot(JSON.stringify(s));
    expect(own.ok ? '' : own.error).toMatch(message);
  });

  it('agrees with Valibot on any value put anywhere in a profile', () => {
    // Every place a value can go: each key, and each key of the first node and pool.
    const places: string[][] = [
      ...Object.keys(base).map((k) => [k]),
      ['nodes', '0', 'memGiB'],
      ['nodes', '0', 'cpus'],
      ['nodes', '0', 'extra'],
      ['pools', '0', 'sizeKiB'],
      ['pools', '0', 'perNode'],
      ['pools', '0', 'perNode', '0'],
      ['extra'],
    ];
    const value = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.integer({ min: -5, max: 1 << 25 }),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.stringMatching(/^[0-9][0-9.a-z+~-]{0,12}$/),
      fc.constantFrom('6.8.0-45-generic', '6.1', '6.', 'x86_64', 'aarch64', 'madvise', [], {}),
    );
    fc.assert(
      fc.property(fc.constantFrom(...places), value, (place, v) => {
        const p = clone(base);
        let at = p;
        for (const k of place.slice(0, -1)) at = at[k] as Record<string, unknown>;
        at[place.at(-1)!] = v;
        const json = clone(p);
        expect(ajvProfile(json), `${place.join('.')} = ${JSON.stringify(v)}`).toBe(validate(profileSchema, json).ok);
      }),
      { numRuns: 400 },
    );
  });

  it('agrees with Valibot on any value put at the top of a snapshot or in its file table', () => {
    const snap = snapshotBase();
    const keys = ['format', 'version', 'capturedAt', 'host', 'tool', 'extra'];
    const files = ['/proc/meminfo', '/proc/sys/kernel/osrelease'];
    const value = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom('hugetune-snapshot', 1, '2026-01-31T12:00:00Z', { text: '6.8.0\n' }, { error: 'denied' }),
      fc.record({ text: fc.string({ maxLength: 20 }) }),
      fc.record({ base64: fc.stringMatching(/^[A-Za-z0-9+/]{0,8}={0,2}$/) }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...keys, ...files), value, (place, v) => {
        const s = clone(snap);
        if (place.startsWith('/')) (s.files as Record<string, unknown>)[place] = v;
        else s[place] = v;
        const json = clone(s);
        // Base64 of a kernel release is checked by hugetune alone (JSON Schema cannot decode it).
        const b64Release = place.endsWith('osrelease') && typeof v === 'object' && v !== null && 'base64' in v;
        const own = validate(snapshotSchema, json).ok;
        if (b64Release && !own) return;
        expect(ajvSnapshot(json), `${place} = ${JSON.stringify(v)}`).toBe(own);
      }),
      { numRuns: 200 },
    );
  });
});
