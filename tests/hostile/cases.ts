/**
 * The hostile inputs, generated into a scratch directory: special files (FIFOs, devices, sockets, links),
 * JSON too deep, too wide or too large, numbers no kernel writes, escape sequences in every string field,
 * crafted GGUF headers, fake roots with absurd kernel files, and bad values for every flag that takes one.
 * Each case says what a correct answer is: refused in one line, or read with the absurd value as a diagnostic.
 */
import {
  cpSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { captureSnapshot } from '../../electron/host/snapshot-io';
import { INPUT_KINDS } from '../../electron/host/open-input';
import { findProfile } from '../../shared/sim/profiles';
import { llamaMeta, TYPE_SIZE, writeGguf, type MetaValue, type TensorDef } from '../fixtures/gguf';
import { fixtureFiles, VM } from '../helpers';
import type { Case } from './run';

const ESC = '\u001b]0;owned\u0007\u001b[2J\u009b31m\u202e';
const refuse = { kind: 'refuse' } as const;
const CAP = {
  snapshot: INPUT_KINDS.snapshot.maxBytes,
  profile: INPUT_KINDS.profile.maxBytes,
  journal: INPUT_KINDS.journal.maxBytes,
};

/** Numbers as people mistype them, and as attackers write them; none is a plain decimal in range. */
export const BAD_NUMBERS = [
  '0x10',
  '1e3',
  '-0',
  '007',
  '-1',
  '',
  ' 5',
  '5 ',
  'Infinity',
  'NaN',
  '0b101',
  '1_000',
  '1e400',
  '99999999999999999999999',
  '\u0663',
  '\uff15',
  `5${ESC}`,
  '+5',
  '.5.',
  '5.',
] as const;

function deepJson(levels: number): string {
  return `${'['.repeat(levels)}${']'.repeat(levels)}`;
}

/** The special files and odd names every file-taking flag is tried with. */
function hostileFiles(dir: string, sockets: string[]): Record<string, { path: string; cap?: number }> {
  const fifo = join(dir, 'fifo.json');
  spawnSync('mkfifo', [fifo]);
  const link = (name: string, target: string): string => {
    const p = join(dir, name);
    symlinkSync(target, p);
    return p;
  };
  const file = (name: string, text: string | Buffer): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const sparse = (name: string, size: number): string => {
    const p = file(name, '');
    truncateSync(p, size);
    return p;
  };
  const sock = join(dir, 'sock.json');
  sockets.push(sock);
  const wideKeys = `{${Array.from({ length: 120_000 }, (_, i) => `"k${i}":0`).join(',')}}`;
  return {
    fifo: { path: fifo },
    'dev-zero': { path: '/dev/zero' },
    'dev-urandom': { path: '/dev/urandom' },
    'dev-null': { path: '/dev/null' },
    'dev-full': { path: '/dev/full' },
    directory: { path: dir },
    missing: { path: join(dir, 'nope.json') },
    'link-to-zero': { path: link('zero.json', '/dev/zero') },
    'link-to-fifo': { path: link('to-fifo.json', fifo) },
    'link-loop': { path: link('loop.json', join(dir, 'loop.json')) },
    'link-dangling': { path: link('dangling.json', join(dir, 'absent')) },
    socket: { path: sock },
    empty: { path: file('empty.json', '') },
    garbage: { path: file('garbage.json', Buffer.from([0, 1, 2, 0xff, 0xfe, 0x1b, 0x5b, 0x32, 0x4a])) },
    'not-json': { path: file('text.json', `hello ${ESC}\n`) },
    'deep-100': { path: file('deep100.json', deepJson(100)) },
    'deep-100k': { path: file('deep100k.json', deepJson(100_000)) },
    'deep-objects': { path: file('deepobj.json', `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`) },
    'wide-keys': { path: file('wide.json', wideKeys) },
    'huge-sparse': { path: sparse('huge.json', 300 * 1024 * 1024), cap: CAP.snapshot },
    'number-1e400': { path: file('n.json', '1e400') },
    'escape-in-name': { path: join(dir, `name${ESC}.json`) },
    'escape-in-json-error': { path: file('esc-err.json', `{"a": ${ESC}}`) },
    'invalid-utf8': { path: file('utf8.json', Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d])) },
    'nul-bytes': { path: file('nul.json', '{"a":"\u0000"}\u0000') },
  };
}

function snapshotJson(edit: (s: ReturnType<typeof captureSnapshot>) => void): string {
  const snap = captureSnapshot(fixtureFiles(VM), true);
  edit(snap);
  return JSON.stringify(snap);
}

/** Snapshots whose JSON is fine and whose content is not. */
function hostileSnapshots(): Record<string, string> {
  const manyPools: Record<string, { text: string }> = {};
  for (let i = 0; i < 99_000; i++)
    manyPools[`/sys/kernel/mm/hugepages/hugepages-${2048 + i}kB/nr_hugepages`] = { text: '0\n' };
  const many = JSON.stringify({ ...JSON.parse(snapshotJson(() => undefined)), files: manyPools });
  return {
    'pools-99000': many,
    'path-300-chars': snapshotJson((s) => (s.files[`/proc/${'a'.repeat(300)}`] = { text: '' })),
    'path-40-levels': snapshotJson((s) => (s.files[`/proc${'/a'.repeat(40)}`] = { text: '' })),
    'escape-in-path': snapshotJson((s) => (s.files[`/proc/${ESC}`] = { text: '' })),
    'relative-path': snapshotJson((s) => (s.files['proc/meminfo'] = { text: '' })),
    'dotdot-path': snapshotJson((s) => (s.files['/proc/../etc/shadow'] = { text: '' })),
    'bad-base64': snapshotJson((s) => (s.files['/proc/cmdline'] = { base64: '@@@' })),
    'escape-in-host': snapshotJson((s) => (s.host = `box${ESC}`)),
    'release-with-escapes': snapshotJson((s) => (s.files['/proc/sys/kernel/osrelease'] = { text: `6.18.0${ESC}\n` })),
    'escape-in-tool': snapshotJson((s) => ((s as { tool: string }).tool = `x${ESC}`)),
    'escape-in-captured-at': snapshotJson((s) => (s.capturedAt = `2026${ESC}`)),
    'wrong-format': snapshotJson((s) => ((s as { format: string }).format = `other${ESC}`)),
    'version-999': snapshotJson((s) => ((s as { version: number }).version = 999)),
    'files-array': snapshotJson((s) => ((s as { files: unknown }).files = [1, 2, 3])),
    'file-entry-number': snapshotJson((s) => ((s.files as Record<string, unknown>)['/proc/meminfo'] = 5)),
    'proto-key': snapshotJson(() => undefined).replace('"files":{', '"files":{"__proto__":{"text":"x"},'),
    'huge-number-version': snapshotJson(() => undefined).replace('"version":1', '"version":1e400'),
    'top-level-array': '[1,2,3]',
    'top-level-null': 'null',
  };
}

/** Snapshots that are fine to read but hold absurd kernel values: each must come back as a diagnostic. */
function diagnosedSnapshots(): Record<string, [string, string]> {
  return {
    'interrupts-beyond-2^53': [
      snapshotJson((s) => {
        const t = (s.files['/proc/interrupts'] as { text: string }).text;
        s.files['/proc/interrupts'] = { text: t.replace(/^( *TLB: +)\d+/m, '$199999999999999999999') };
      }),
      '/proc/interrupts',
    ],
    'page-size-999999999999kB': [
      snapshotJson(
        (s) => (s.files['/sys/kernel/mm/hugepages/hugepages-999999999999kB/nr_hugepages'] = { text: '1\n' }),
      ),
      '/sys/kernel/mm/hugepages/hugepages-999999999999kB',
    ],
  };
}

const PROFILE = (): Record<string, unknown> =>
  JSON.parse(JSON.stringify(findProfile('small-laptop'))) as Record<string, unknown>;

function hostileProfiles(): Record<string, unknown> {
  const p = (edit: (x: Record<string, unknown>) => void): Record<string, unknown> => {
    const x = PROFILE();
    edit(x);
    return x;
  };
  const out: Record<string, unknown> = {
    'impossible-release': p((x) => (x.release = '6.8 definitely')),
    'release-escapes': p((x) => (x.release = `6.8.0${ESC}`)),
    'release-newline': p((x) => (x.release = '6.8.0\nx')),
    'release-99-chars': p((x) => (x.release = `6.8.${'9'.repeat(95)}`)),
    'id-escapes': p((x) => (x.id = `box${ESC}`)),
    'pools-99000': p((x) => (x.pools = Array.from({ length: 99_000 }, () => ({ sizeKiB: 2048, perNode: [0] })))),
    'nodes-1000': p((x) => (x.nodes = Array.from({ length: 1000 }, () => ({ memGiB: 1, cpus: 1 })))),
    'mem-negative': p((x) => (x.nodes = [{ memGiB: -1, cpus: 1 }])),
    'mem-string': p((x) => (x.nodes = [{ memGiB: '16', cpus: 1 }])),
    'cpus-fraction': p((x) => (x.nodes = [{ memGiB: 16, cpus: 1.5 }])),
    'pool-count-huge': p((x) => (x.pools = [{ sizeKiB: 2048, perNode: [2 ** 60] }])),
    'pool-size-absurd': p((x) => (x.pools = [{ sizeKiB: 999999999999, perNode: [1] }])),
    'thp-bogus': p((x) => (x.thp = `sometimes${ESC}`)),
    'scenario-bogus': p((x) => (x.scenario = 'party')),
    'fragmentation-2': p((x) => (x.fragmentation = 2)),
    'seed-negative': p((x) => (x.seed = -5)),
    'unknown-key-escapes': p((x) => (x[`extra${ESC}`] = 1)),
    'proto-key': JSON.parse(`{"__proto__":{"polluted":1},${JSON.stringify(PROFILE()).slice(1)}`) as unknown,
    'not-an-object': [1, 2, 3],
    'string-top': `profile${ESC}`,
  };
  for (const field of ['description', 'cpuModel', 'cmdline', 'arch', 'defrag']) {
    out[`${field}-escapes`] = p((x) => (x[field] = `${String(x[field])}${ESC}`));
  }
  return out;
}

/** GGUF headers that lie. */
function hostileGgufs(dir: string): Record<string, string> {
  const meta = llamaMeta({ name: 'tiny', layers: 2, hidden: 64, heads: 4, kvHeads: 4, ctx: 512, vocab: 100 });
  const tensor = (o: Partial<TensorDef> = {}): TensorDef => ({ name: 'w', shape: [64, 64], type: 0, ...o });
  const out: Record<string, string> = {};
  const g = (name: string, m: Record<string, MetaValue>, t: TensorDef[], opts = {}): void => {
    const p = join(dir, `${name}.gguf`);
    writeGguf(p, m, t, opts);
    out[name] = p;
  };
  g('five-dims', meta, [tensor({ shape: [2, 2, 2, 2, 2] })]);
  g('name-escapes', { ...meta, 'general.name': `m${ESC}` }, [tensor({ name: `t${ESC}`, shape: [2, 2, 2, 2, 2] })]);
  g('arch-escapes', { ...meta, 'general.architecture': `llama${ESC}` }, [tensor()]);
  g('no-arch', { 'general.name': 'x' }, [tensor()]);
  // The writer sizes tensors by their type; an unknown one gets a size for the writing only.
  TYPE_SIZE[9999] = [1, 4];
  g('unknown-type', meta, [tensor({ type: 9999 })]);
  delete TYPE_SIZE[9999];
  g('zero-dim', meta, [tensor({ shape: [0, 64] })]);
  g('huge-dims', meta, [tensor({ shape: [2 ** 40, 2 ** 40] })], { truncateTo: 4096 });
  g('version-99', meta, [tensor()], { version: 99 });
  g('truncated', meta, [tensor()], { truncateTo: 40 });
  g('block-count-absurd', { ...meta, 'llama.block_count': 2 ** 31 }, [tensor()]);
  g('embedding-negative', { ...meta, 'llama.embedding_length': { type: 5, value: -5 } }, [tensor()]);
  const raw = (name: string, bytes: Buffer): void => {
    const p = join(dir, `${name}.gguf`);
    writeFileSync(p, bytes);
    out[name] = p;
  };
  const header = (tensors: bigint, kvs: bigint): Buffer => {
    const b = Buffer.alloc(24);
    b.write('GGUF', 0, 'ascii');
    b.writeUInt32LE(3, 4);
    b.writeBigUInt64LE(tensors, 8);
    b.writeBigUInt64LE(kvs, 16);
    return b;
  };
  raw('bad-magic', Buffer.from('GGML\u0003\u0000\u0000\u0000'));
  raw('tensor-count-2^63', header(2n ** 63n, 0n));
  raw('kv-count-2^63', header(0n, 2n ** 63n));
  const longKey = Buffer.alloc(8);
  longKey.writeBigUInt64LE(2n ** 62n);
  raw('key-length-2^62', Buffer.concat([header(0n, 1n), longKey]));
  raw('empty', Buffer.alloc(0));
  return out;
}

function journal(results: unknown[]): string {
  return JSON.stringify({
    format: 'hugetune-journal',
    version: 1,
    kind: 'apply',
    source: 'x',
    startedAt: '2026-01-01T00:00:00Z',
    finishedAt: null,
    results,
  });
}

/** A fake root copied from a real capture, with one kernel file made absurd. */
function absurdRoot(dir: string, name: string, edit: (root: string) => void): string {
  const root = join(dir, `root-${name}`);
  cpSync(VM, root, { recursive: true });
  edit(root);
  return root;
}

export interface CaseSet {
  cases: Case[];
  /** Sockets to close once the cases have run. */
  close(): void;
}

export function makeCases(dir: string): CaseSet {
  const cases: Case[] = [];
  const add = (c: Case): void => void cases.push(c);
  const sockets: string[] = [];
  const files = hostileFiles(dir, sockets);
  const servers = sockets.map((p) => createServer().listen(p));

  // Every flag and command that names an input file, against every special file and malformed JSON.
  const fileTakers: [string, (p: string) => string[], number][] = [
    ['report --sim', (p) => ['report', '--sim', p], CAP.profile],
    ['report --snapshot', (p) => ['report', '--snapshot', p], CAP.snapshot],
    ['plan --snapshot', (p) => ['plan', '--snapshot', p, '--model', 'llama-3.1-8b'], CAP.snapshot],
    ['snapshot --snapshot', (p) => ['snapshot', '--snapshot', p, '-o', '-'], CAP.snapshot],
    ['diff snapshot:', (p) => ['diff', `snapshot:${p}`, 'sim:small-laptop'], CAP.snapshot],
    ['diff sim:', (p) => ['diff', 'sim:small-laptop', `sim:${p}`], CAP.profile],
    ['sim show', (p) => ['sim', 'show', p], CAP.profile],
    ['serve --snapshot', (p) => ['serve', '--port', '0', '--snapshot', p], CAP.snapshot],
    ['rollback', (p) => ['rollback', '--dry-run', p], CAP.journal],
    ['plan --gguf', (p) => ['plan', '--gguf', p, '--mem-gib', '64'], 0],
  ];
  for (const [flag, args, cap] of fileTakers) {
    for (const [kind, f] of Object.entries(files)) {
      // `sim show` and --sim take a built-in id unless the name looks like a file; all of these do.
      add({ name: `${flag} ${kind}`, args: args(f.path), expect: refuse, capBytes: Math.max(cap, f.cap ?? 0) });
    }
  }

  // Standard input, for the flags that read it.
  const stdinCases: [string, Buffer | string][] = [
    ['deep', deepJson(100_000)],
    ['garbage', Buffer.from([0xff, 0, 0x1b, 0x5b])],
    ['empty', ''],
    ['escapes', `{"format":"${ESC}"}`],
    ['over the cap', Buffer.alloc(CAP.snapshot + 1024 * 1024, 0x20)],
  ];
  for (const [what, input] of stdinCases) {
    add({
      name: `report --snapshot - (${what})`,
      args: ['report', '--snapshot', '-'],
      input,
      expect: refuse,
      capBytes: CAP.snapshot,
    });
    add({
      name: `diff snapshot:- (${what})`,
      args: ['diff', 'snapshot:-', 'sim:small-laptop'],
      input,
      expect: refuse,
      capBytes: CAP.snapshot,
    });
  }

  // Snapshots with bad content.
  for (const [what, text] of Object.entries(hostileSnapshots())) {
    const p = join(dir, `snap-${what}.json`);
    writeFileSync(p, text);
    add({
      name: `report --snapshot (${what})`,
      args: ['report', '--snapshot', p],
      expect: refuse,
      capBytes: CAP.snapshot,
    });
    add({
      name: `plan --snapshot (${what})`,
      args: ['plan', '--snapshot', p, '--model', 'llama-3.1-8b'],
      expect: refuse,
      capBytes: CAP.snapshot,
    });
  }
  for (const [what, [text, path]] of Object.entries(diagnosedSnapshots())) {
    const p = join(dir, `snap-diag-${what}.json`);
    writeFileSync(p, text);
    add({ name: `report --snapshot (${what})`, args: ['report', '--snapshot', p], expect: { kind: 'diagnose', path } });
  }

  // Profiles with bad content, through --sim, sim show and diff.
  for (const [what, json] of Object.entries(hostileProfiles())) {
    const p = join(dir, `profile-${what}.json`);
    writeFileSync(p, JSON.stringify(json));
    add({ name: `report --sim (${what})`, args: ['report', '--sim', p], expect: refuse, capBytes: CAP.profile });
    add({ name: `sim show (${what})`, args: ['sim', 'show', p], expect: refuse, capBytes: CAP.profile });
  }
  const bigProfile = join(dir, 'profile-5mib.json');
  writeFileSync(bigProfile, `{"id":"x","description":"${'a'.repeat(5 * 1024 * 1024)}"}`);
  add({
    name: 'report --sim (5 MiB profile)',
    args: ['report', '--sim', bigProfile],
    expect: refuse,
    capBytes: CAP.profile,
  });
  const sparseProfile = join(dir, 'profile-300mb.json');
  writeFileSync(sparseProfile, '');
  truncateSync(sparseProfile, 300 * 1000 * 1000);
  add({
    name: 'report --sim (300 MB profile)',
    args: ['report', '--sim', sparseProfile],
    expect: refuse,
    capBytes: CAP.profile,
  });

  // GGUF headers that lie.
  for (const [what, p] of Object.entries(hostileGgufs(dir))) {
    add({ name: `plan --gguf (${what})`, args: ['plan', '--gguf', p, '--mem-gib', '64'], expect: refuse });
    add({ name: `recommend --gguf (${what})`, args: ['recommend', '--gguf', p, '--mem-gib', '64'], expect: refuse });
  }

  // Journals that are not what apply wrote.
  const journals: Record<string, string> = {
    'escape-path': journal([{ path: `/proc/sys/vm/${ESC}`, asked: '1', before: '0', after: '1', ok: true }]),
    'outside-allow-list': journal([{ path: '/etc/shadow', asked: 'x', before: 'y', after: 'x', ok: true }]),
    'escape-value': journal([
      { path: '/proc/sys/vm/nr_hugepages', asked: `1${ESC}`, before: '0', after: '1', ok: true },
    ]),
    'wrong-format': JSON.stringify({ format: `x${ESC}` }),
    deep: deepJson(1000),
    big: `{"a":"${'x'.repeat(2 * 1024 * 1024)}"}`,
  };
  for (const [what, text] of Object.entries(journals)) {
    const p = join(dir, `journal-${what}.json`);
    writeFileSync(p, text);
    add({ name: `rollback (${what})`, args: ['rollback', '--dry-run', p], expect: refuse, capBytes: CAP.journal });
  }

  // --set: every key with bad values, and bad keys.
  const setValues: Record<string, readonly string[]> = {
    'pool-2m': [...BAD_NUMBERS, '16777217', '1.5'],
    'pool-1g': [...BAD_NUMBERS, '16777217', '0.5'],
    fragmentation: ['2', '-0.1', '0x1', '1e-1', '.5', 'nan', '', `0.5${ESC}`, '01', '1.0.0'],
    'mem-gib': ['0', '-1', '1e3', '512,', ',512', 'abc', '0x200', `8${ESC}`, '8,8,8,8', '99999999'],
    release: ['', 'abc', `6.8.0${ESC}`, '6.8 x', `6.8.${'1'.repeat(100)}`, ' 6.8', '6.8\n', '-6.8'],
    thp: ['sometimes', '', `always${ESC}`, 'ALWAYS'],
    hvo: ['yes', '1', '', `on${ESC}`],
    scenario: ['party', '', `idle${ESC}`],
    cmdline: [`quiet${ESC}`, 'quiet\nsplash'],
  };
  for (const [key, values] of Object.entries(setValues)) {
    for (const v of values) {
      add({
        name: `--set ${key}=${JSON.stringify(v)}`,
        args: ['report', '--sim', 'xeon-2s-768g', '--set', `${key}=${v}`],
        expect: refuse,
      });
    }
  }
  for (const bad of ['nope=1', `pool${ESC}=1`, '=5', 'pool-2m', '']) {
    add({
      name: `--set ${JSON.stringify(bad)}`,
      args: ['report', '--sim', 'xeon-2s-768g', '--set', bad],
      expect: refuse,
    });
  }
  add({ name: '--set without --sim', args: ['report', '--set', 'pool-2m=4'], expect: refuse });

  // Plan flags that take numbers.
  const numberFlags = [
    'ctx',
    'mem-gib',
    'footprint-mib',
    'nodes',
    'cache-ram-mib',
    'kv-space-gib',
    'available-mib',
    'reserve-mib',
  ];
  for (const flag of numberFlags) {
    // Every mistake for the two flags every plan has; the commonest ones for the rest.
    for (const v of flag === 'ctx' || flag === 'mem-gib' ? BAD_NUMBERS : BAD_NUMBERS.slice(0, 8)) {
      add({
        name: `plan --${flag} ${JSON.stringify(v)}`,
        args: [
          'plan',
          '--model',
          'llama-3.1-8b',
          '--mem-gib',
          flag === 'mem-gib' ? v : '64',
          ...(flag === 'mem-gib' ? [] : [`--${flag}`, v]),
        ],
        expect: refuse,
      });
    }
  }
  for (const v of ['0x1F90', '65536', '-1', '1e3', '', `80${ESC}`, '080a']) {
    add({ name: `serve --port ${JSON.stringify(v)}`, args: ['serve', '--port', v], expect: refuse });
  }
  for (const v of ['0', '0x10', '1e3', '-1', '2000000', '']) {
    add({ name: `hvo-check --pages ${JSON.stringify(v)}`, args: ['hvo-check', '--pages', v], expect: refuse });
  }

  // Choices and unknown flags.
  const choices: [string, string][] = [
    ['--page-size', '3M'],
    ['--page-size', `2M${ESC}`],
    ['--kv-type', 'f64'],
    ['--runtime', `llama${ESC}`],
    ['--numa', 'spread'],
    ['--hvo', 'maybe'],
    ['--arch', 'sparc'],
    ['--base-page', '8K'],
    ['--model', `nope${ESC}`],
    ['--quant', 'q99'],
    ['--llama-build', 'ancient'],
  ];
  for (const [flag, v] of choices) {
    add({
      name: `plan ${flag} ${JSON.stringify(v)}`,
      args: ['plan', '--model', 'llama-3.1-8b', '--mem-gib', '64', flag, v],
      expect: refuse,
    });
  }
  const badArgs: string[][] = [
    ['report', '--bogus'],
    ['report', `--${ESC}`],
    [`cmd${ESC}`],
    ['report', '--root'],
    ['report', '--snapshot'],
    ['report', '--sim'],
    ['report', '--root', '/', '--sim', 'small-laptop'],
    ['report', '--sim', `nope${ESC}`],
    ['report', '--root', join(dir, `no-root${ESC}`)],
    ['report', '--root', files['dev-zero']!.path],
    ['report', '--root', files.fifo!.path],
    ['plan'],
    ['plan', '--model', 'llama-3.1-8b', '--mem-gib', '64', '--sim', 'small-laptop'],
    ['diff', 'live'],
    ['diff', `nope:${ESC}`, 'live'],
    ['diff', 'snapshot:-', 'snapshot:-'],
    ['sim', 'show'],
    ['sim', `bogus${ESC}`],
    ['rollback'],
    ['help', `x${ESC}`],
    ['snapshot', '--sim', 'small-laptop'],
    ['recommend', '--artifact', `x${ESC}`, '--sim', 'small-laptop'],
    ['apply', '--snapshot', files.empty!.path],
  ];
  for (const a of badArgs) add({ name: `args ${JSON.stringify(a.join(' '))}`, args: a, expect: refuse });

  // Output files: snapshot -o never replaces anything but the user's own regular file, and never follows a link.
  const outside = join(dir, 'outside.txt');
  writeFileSync(outside, 'keep me');
  const outFifo = join(dir, 'out-fifo');
  spawnSync('mkfifo', [outFifo]);
  const outTargets: Record<string, [string, () => string | null]> = {
    fifo: [outFifo, () => (lstatSync(outFifo).isFIFO() ? null : 'the FIFO was replaced')],
    'link to a file': [
      (() => {
        const l = join(dir, 'out-link');
        symlinkSync(outside, l);
        return l;
      })(),
      () =>
        readFileSync(outside, 'utf8') === 'keep me' && lstatSync(join(dir, 'out-link')).isSymbolicLink()
          ? null
          : 'the link or its target changed',
    ],
    'link to /dev/null': [
      (() => {
        const l = join(dir, 'out-null');
        symlinkSync('/dev/null', l);
        return l;
      })(),
      () =>
        lstatSync('/dev/null').isCharacterDevice() && readlinkSync(join(dir, 'out-null')) === '/dev/null'
          ? null
          : '/dev/null or the link changed',
    ],
    'dangling link': [
      (() => {
        const l = join(dir, 'out-dangling');
        symlinkSync(join(dir, 'would-be-created'), l);
        return l;
      })(),
      () => {
        try {
          lstatSync(join(dir, 'would-be-created'));
          return 'the link was followed';
        } catch {
          return null;
        }
      },
    ],
    directory: [
      join(dir, 'outdir'),
      () => (lstatSync(join(dir, 'outdir')).isDirectory() ? null : 'the directory was replaced'),
    ],
    'missing directory': [join(dir, 'no', 'such', 'dir', 'x.json'), () => null],
    socket: [sockets[0]!, () => (lstatSync(sockets[0]!).isSocket() ? null : 'the socket was replaced')],
  };
  mkdirSync(join(dir, 'outdir'));
  for (const [what, [target, untouched]] of Object.entries(outTargets)) {
    add({
      name: `snapshot -o (${what})`,
      args: ['snapshot', '--sim', 'small-laptop', '-o', target],
      expect: refuse,
      untouched,
    });
  }

  // Fake roots with absurd kernel files: read, with the absurd value as a diagnostic.
  const roots: [string, string, (root: string) => void][] = [
    [
      'page size 999,999,999,999 kB',
      '/sys/kernel/mm/hugepages/hugepages-999999999999kB',
      (r) => mkdirSync(join(r, 'sys/kernel/mm/hugepages/hugepages-999999999999kB')),
    ],
    [
      'page size 3000 kB',
      '/sys/kernel/mm/hugepages/hugepages-3000kB',
      (r) => mkdirSync(join(r, 'sys/kernel/mm/hugepages/hugepages-3000kB')),
    ],
    [
      '20 page sizes',
      '/sys/kernel/mm/hugepages',
      (r) => {
        for (let i = 0; i < 20; i++)
          mkdirSync(join(r, `sys/kernel/mm/hugepages/hugepages-${64 << i}kB`), { recursive: true });
      },
    ],
    [
      'interrupts beyond 2^53',
      '/proc/interrupts',
      (r) => {
        const p = join(r, 'proc/interrupts');
        writeFileSync(p, readFileSync(p, 'utf8').replace(/^( *TLB: +)\d+/m, '$199999999999999999999'));
      },
    ],
    [
      'release with escapes',
      '/proc/sys/kernel/osrelease',
      (r) => writeFileSync(join(r, 'proc/sys/kernel/osrelease'), `6.18.0${ESC}\n`),
    ],
    [
      'release 200 chars',
      '/proc/sys/kernel/osrelease',
      (r) => writeFileSync(join(r, 'proc/sys/kernel/osrelease'), `6.18.${'1'.repeat(200)}\n`),
    ],
    [
      'meminfo FIFO',
      '/proc/meminfo',
      (r) => {
        rmSync(join(r, 'proc/meminfo'));
        spawnSync('mkfifo', [join(r, 'proc/meminfo')]);
      },
    ],
    [
      'vmstat -> /dev/zero',
      '/proc/vmstat',
      (r) => {
        rmSync(join(r, 'proc/vmstat'));
        symlinkSync('/dev/zero', join(r, 'proc/vmstat'));
      },
    ],
    [
      'interrupts -> /dev/urandom',
      '/proc/interrupts',
      (r) => {
        rmSync(join(r, 'proc/interrupts'));
        symlinkSync('/dev/urandom', join(r, 'proc/interrupts'));
      },
    ],
    [
      'nr_hugepages 2^64',
      '/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages',
      (r) => writeFileSync(join(r, 'sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages'), '18446744073709551616\n'),
    ],
    [
      'nr_hugepages escapes',
      '/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages',
      (r) => writeFileSync(join(r, 'sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages'), `5${ESC}\n`),
    ],
    [
      'thp enabled escapes',
      '/sys/kernel/mm/transparent_hugepage/enabled',
      (r) => writeFileSync(join(r, 'sys/kernel/mm/transparent_hugepage/enabled'), `[always]${ESC} never\n`),
    ],
    ['cmdline 17 MiB sparse', '/proc/cmdline', (r) => truncateSync(join(r, 'proc/cmdline'), 17 * 1024 * 1024)],
  ];
  for (const [what, path, edit] of roots) {
    const root = absurdRoot(dir, what.replace(/[^a-z0-9]+/gi, '-'), edit);
    add({
      name: `report --root (${what})`,
      args: ['report', '--json', '--root', root],
      expect: { kind: 'diagnose', path },
    });
  }

  return { cases, close: () => servers.forEach((s) => s.close()) };
}
