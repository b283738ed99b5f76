/** Web mode's static files: compressed as the browser accepts, the same bytes after decoding, never outside the directory. */
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metaCsp } from '../../electron/page-csp';
import { loadStatic, pickEncoding } from '../../electron/server/static';

let dir = '';
const js = 'export const x = 1;\n'.repeat(2000);
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hugetune-static-'));
  writeFileSync(join(dir, 'app.js'), js);
  writeFileSync(join(dir, 'tiny.css'), 'a{}');
  writeFileSync(join(dir, 'index.html'), '<!doctype html>'.padEnd(2000, ' '));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('pickEncoding', () => {
  it('prefers brotli, then gzip, and honours q=0', () => {
    expect(pickEncoding('gzip, deflate, br, zstd')).toBe('br');
    expect(pickEncoding('gzip')).toBe('gzip');
    expect(pickEncoding('br;q=0, gzip;q=0.5')).toBe('gzip');
    expect(pickEncoding('*')).toBe('br');
    expect(pickEncoding('identity')).toBeNull();
    expect(pickEncoding(undefined)).toBeNull();
  });
});

describe('loadStatic', () => {
  it('sends brotli or gzip that decode to the file, and says the answer varies', async () => {
    const br = (await loadStatic(dir, '/app.js', 'gzip, br'))!;
    expect(br.encoding).toBe('br');
    expect(br.varies).toBe(true);
    expect(brotliDecompressSync(br.body).toString()).toBe(js);
    expect(br.body.length).toBeLessThan(js.length / 10);
    const gz = (await loadStatic(dir, '/app.js', 'gzip'))!;
    expect(gzipped(gz.body)).toBe(js);
    const plain = (await loadStatic(dir, '/app.js'))!;
    expect(plain.encoding).toBeNull();
    expect(plain.varies).toBe(true);
    expect(plain.body.toString()).toBe(js);
  });

  it('serves / as index.html, leaves tiny files as they are', async () => {
    expect((await loadStatic(dir, '/', 'br'))!.type).toMatch(/^text\/html/);
    const tiny = (await loadStatic(dir, '/tiny.css', 'br'))!;
    expect(tiny.encoding).toBeNull();
    expect(tiny.varies).toBe(false);
  });

  it('sends the page without its policy tag when the policy goes in the header, and only then', async () => {
    const policy = `<meta\n      http-equiv="Content-Security-Policy"\n      content="default-src 'self'"\n    />`;
    const page = `<!doctype html><html><head><meta charset="UTF-8" />${policy}<title>x</title></head><body></body></html>`;
    writeFileSync(join(dir, 'page.html'), page);
    const served = (await loadStatic(dir, '/page.html', undefined, { cspInHeader: true }))!.body.toString();
    expect(served).toBe(page.replace(policy, ''));
    expect(metaCsp(served)).toBeNull();
    // Cached apart: the same file asked for as it is still has its tag.
    expect((await loadStatic(dir, '/page.html'))!.body.toString()).toBe(page);
    expect((await loadStatic(dir, '/app.js', undefined, { cspInHeader: true }))!.body.toString()).toBe(js);
  });

  it('compresses a rebuilt file again', async () => {
    await loadStatic(dir, '/app.js', 'br');
    const next = 'export const y = 2;\n'.repeat(3000);
    writeFileSync(join(dir, 'app.js'), next);
    utimesSync(join(dir, 'app.js'), new Date(), new Date(Date.now() + 5000));
    expect(brotliDecompressSync((await loadStatic(dir, '/app.js', 'br'))!.body).toString()).toBe(next);
    writeFileSync(join(dir, 'app.js'), js);
  });

  it('never leaves the directory', async () => {
    expect(await loadStatic(dir, '/../etc/passwd.js')).toBeNull();
    expect(await loadStatic(dir, '/%2e%2e/x.js')).toBeNull();
    expect(await loadStatic(dir, '/%zz')).toBeNull();
    expect(await loadStatic(dir, '/missing.js', 'br')).toBeNull();
  });
});

function gzipped(b: Buffer): string {
  return gunzipSync(b).toString();
}
