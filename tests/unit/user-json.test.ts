/**
 * JSON a user hands in (a snapshot, a machine profile, a journal): what is wrong with it is said in plain words,
 * never by quoting the file or the parser's own text, and a hugetune file opened in the wrong place is named
 * for what it is and where it opens.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileKindOf, otherKind } from '../../shared/file-kind';
import { parseSnapshot } from '../../shared/host/snapshot';
import { jsonParseProblem } from '../../shared/json-scan';
import { profileFromJson } from '../../shared/sim/profile';
import { PROFILES } from '../../shared/sim/profiles';
import { CLI } from '../helpers';

let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'hugetune-user-json-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const SENTENCES =
  /^not JSON: (it is empty|it holds binary data \(a compressed file\? unpack it first\)|(it ends early|unexpected character( where (a quoted key|':'|',' or '[}\]]') should be)?|more text after the end of the JSON value|an invalid escape in a string|a control character inside a string) \(line [\d,]+, column [\d,]+\))$/;

const failure = (text: string): string => {
  try {
    JSON.parse(text);
  } catch {
    return jsonParseProblem(text);
  }
  throw new Error(`parsed: ${text}`);
};

describe('JSON a user hands in that is not JSON', () => {
  it('is described by where it stops being JSON, quoting nothing of it', () => {
    const cases: [string, string][] = [
      ['', 'not JSON: it is empty'],
      [' \n\t', 'not JSON: it is empty'],
      ['root:x:0:0:root:/root:/bin/bash\n', 'not JSON: unexpected character (line 1, column 1)'],
      ['{"a": 1,\n "b": [1,2', 'not JSON: it ends early (line 2, column 11)'],
      ['{"a": 1,\n "b": [1,2}', "not JSON: unexpected character where ',' or ']' should be (line 2, column 11)"],
      ['{"a": 1}\n{"b": 2}\n', 'not JSON: more text after the end of the JSON value (line 2, column 1)'],
      ['{a: 1}', 'not JSON: unexpected character where a quoted key should be (line 1, column 2)'],
      ['{"a" 1}', "not JSON: unexpected character where ':' should be (line 1, column 6)"],
      ['["a\\qb"]', 'not JSON: an invalid escape in a string (line 1, column 4)'],
      ['["a\tb"]', 'not JSON: a control character inside a string (line 1, column 4)'],
      ['{"n": 01}', "not JSON: unexpected character where ',' or '}' should be (line 1, column 8)"],
      ['[1.]', 'not JSON: unexpected character (line 1, column 4)'],
      ['[tru', 'not JSON: it ends early (line 1, column 5)'],
      ['"abc', 'not JSON: it ends early (line 1, column 5)'],
      ['\u001f\u008b\u0008\u0000binary', 'not JSON: it holds binary data (a compressed file? unpack it first)'],
      ['{"a": "\ufffd\ufffd"', 'not JSON: it holds binary data (a compressed file? unpack it first)'],
    ];
    for (const [text, message] of cases) expect(failure(text), JSON.stringify(text)).toBe(message);
    // Lines and columns are grouped like every other count.
    expect(failure(`${'\n'.repeat(12_345)}x`)).toBe('not JSON: unexpected character (line 12,346, column 1)');
  });

  it('every text JSON.parse refuses gets a place, never the bare words', () => {
    const json = fc.jsonValue().map((v) => JSON.stringify(v, null, 1));
    fc.assert(
      fc.property(json, fc.nat(), fc.string({ maxLength: 3 }), (text, cut, junk) => {
        for (const broken of [text.slice(0, cut % (text.length + 1)), text + junk, junk + text]) {
          let ok = true;
          try {
            JSON.parse(broken);
          } catch {
            ok = false;
          }
          if (ok) continue;
          // One of a fixed set of sentences, so nothing of the text can be in it.
          expect(jsonParseProblem(broken)).toMatch(SENTENCES);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('the command line says it the same way for a snapshot, a profile and a journal', () => {
    const passwd = join(tmp, 'passwd');
    writeFileSync(passwd, 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n');
    const cut = join(tmp, 'cut.json');
    writeFileSync(cut, '{"format": "hugetune-snapshot",\n "files": {');
    const r = run('report', '--snapshot', passwd);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`hugetune: snapshot ${passwd}: not JSON: unexpected character (line 1, column 1)\n`);
    expect(run('report', '--sim', cut).err).toBe(
      `hugetune: --sim ${cut}: not JSON: it ends early (line 2, column 12)\n`,
    );
    expect(run('rollback', '--dry-run', passwd).err).toBe(
      `hugetune: ${passwd}: not a hugetune journal (not JSON: unexpected character (line 1, column 1))\n`,
    );
    // Random bytes: named as binary, none of them echoed.
    const rand = join(tmp, 'rand.json');
    writeFileSync(rand, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xc3, 0x28, 0x47, 0x9c, 0x38, 0x5d, 0xfe, 0x7d]));
    for (const flag of ['--sim', '--snapshot']) {
      const b = run('report', flag, rand);
      expect(b.code).toBe(1);
      expect(b.err).toMatch(/: not JSON: it holds binary data \(a compressed file\? unpack it first\)\n$/);
    }
  });

  it('parseSnapshot, which the app uses on text it holds, says it the same way', () => {
    expect(parseSnapshot('root:x:0:0')).toEqual({
      ok: false,
      error: 'not JSON: unexpected character (line 1, column 1)',
    });
    expect(parseSnapshot('{"format":')).toEqual({ ok: false, error: 'not JSON: it ends early (line 1, column 11)' });
  });
});

describe('a hugetune file opened in the wrong place', () => {
  const profile = PROFILES[0]!;
  const snapshot = { format: 'hugetune-snapshot', version: 1, capturedAt: '2026-01-31T12:00:00Z', files: {} };
  const journal = { format: 'hugetune-journal', kind: 'apply', results: [] };

  it('is named for what it is and where it opens', () => {
    expect([fileKindOf(profile), fileKindOf(snapshot), fileKindOf(journal), fileKindOf({ id: 'x' })]).toEqual([
      'profile',
      'snapshot',
      'journal',
      null,
    ]);
    expect(profileFromJson(snapshot)).toEqual({
      ok: false,
      error:
        'this is a hugetune snapshot, not a machine profile: open it with Switch source → Open snapshot… (or --snapshot FILE)',
    });
    expect(parseSnapshot(JSON.stringify(profile))).toEqual({
      ok: false,
      error:
        'this is a machine profile, not a hugetune snapshot: load it in the Simulator with Load a saved profile (or --sim FILE.json)',
    });
    expect(otherKind(journal, 'snapshot')).toBe(
      'this is a hugetune journal, not a hugetune snapshot: undo what it records with hugetune rollback FILE',
    );
    expect(otherKind(profile, 'profile')).toBeNull();
    // Anything else is refused as before.
    const other = profileFromJson({ id: 'x' });
    expect(other.ok).toBe(false);
    expect(!other.ok && other.error).toMatch(/^not a machine profile: /);
    expect(parseSnapshot('{}')).toEqual({
      ok: false,
      error: 'not a hugetune snapshot (no "format": "hugetune-snapshot")',
    });
  });

  it('on the command line too', () => {
    const prof = join(tmp, 'profile.json');
    writeFileSync(prof, JSON.stringify(profile));
    const snap = join(tmp, 'snap.json');
    expect(run('snapshot', '-o', snap, '--sim', 'small-laptop').code).toBe(0);
    const a = run('report', '--snapshot', prof);
    expect(a.code).toBe(1);
    expect(a.err).toBe(
      `hugetune: snapshot ${prof}: this is a machine profile, not a hugetune snapshot: load it in the Simulator with Load a saved profile (or --sim FILE.json)\n`,
    );
    const b = run('report', '--sim', snap);
    expect(b.code).toBe(1);
    expect(b.err).toBe(
      `hugetune: --sim ${snap}: this is a hugetune snapshot, not a machine profile: open it with Switch source → Open snapshot… (or --snapshot FILE)\n`,
    );
    expect(run('rollback', '--dry-run', snap).err).toBe(
      `hugetune: ${snap}: this is a hugetune snapshot, not a hugetune journal: open it with Switch source → Open snapshot… (or --snapshot FILE)\n`,
    );
  });
});
