import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cmdlineObject, parseCmdline, parseCommandLine } from '../../shared/host/parse/cmdline';
import { parseInterrupts } from '../../shared/host/parse/interrupts';
import { parseMeminfo } from '../../shared/host/parse/meminfo';
import { parseIdList, parseMultiChoice, parseUnsigned, pageSizeFromDirName } from '../../shared/host/parse/scalar';
import { parseVmstat } from '../../shared/host/parse/vmstat';
import { parseKernelRelease } from '../../shared/kernel/version';
import { bootParams } from '../../shared/host/boot';
import { MemoryFiles } from '../../shared/host/files';
import { parseBuddyinfo } from '../../shared/host/parse/buddyinfo';
import { parseMemSizeKiB } from '../../shared/host/parse/memsize';
import { parseHugetlbfsMounts } from '../../shared/host/parse/mounts';
import { readHost } from '../../shared/host/read/index';
import { buildReport } from '../../shared/host/report';
import { parseSnapshot } from '../../shared/host/snapshot';
import { buildTree, TREES } from '../fixtures/trees';

describe('multi-choice sysfs files', () => {
  it('reads the selected word and every option', () => {
    expect(parseMultiChoice('always [madvise] never\n')).toEqual({
      ok: true,
      value: { selected: 'madvise', options: ['always', 'madvise', 'never'] },
    });
    expect(parseMultiChoice('always defer [defer+madvise] madvise never')).toMatchObject({
      ok: true,
      value: { selected: 'defer+madvise' },
    });
  });
  it('rejects files with no or two selections', () => {
    expect(parseMultiChoice('always madvise never').ok).toBe(false);
    expect(parseMultiChoice('[always] [never]').ok).toBe(false);
    expect(parseMultiChoice('').ok).toBe(false);
  });
});

describe('scalar files', () => {
  it('reads integers and rejects everything else', () => {
    expect(parseUnsigned('512\n')).toEqual({ ok: true, value: 512 });
    expect(parseUnsigned('-1').ok).toBe(false);
    expect(parseUnsigned('12 kB').ok).toBe(false);
    expect(parseUnsigned('').ok).toBe(false);
  });
  it('reads cpu lists', () => {
    expect(parseIdList('0-3,8,10-11\n')).toEqual({ ok: true, value: [0, 1, 2, 3, 8, 10, 11] });
    expect(parseIdList('\n')).toEqual({ ok: true, value: [] });
    expect(parseIdList('3-1').ok).toBe(false);
  });
  it('reads page sizes from directory names', () => {
    expect(pageSizeFromDirName('hugepages-1048576kB')).toBe(1048576);
    expect(pageSizeFromDirName('hugepages-2048kB')).toBe(2048);
    expect(pageSizeFromDirName('hugepages-')).toBeNull();
  });
  it('reads kernel releases of every flavour', () => {
    expect(parseKernelRelease('6.18.44-fc-v595')).toEqual({ major: 6, minor: 18, patch: 44 });
    expect(parseKernelRelease('5.15.0-119-generic')).toEqual({ major: 5, minor: 15, patch: 0 });
    expect(parseKernelRelease('4.18.0-553.el8_10.x86_64')).toEqual({ major: 4, minor: 18, patch: 0 });
    expect(parseKernelRelease('6.12')).toEqual({ major: 6, minor: 12, patch: 0 });
    expect(parseKernelRelease('linux')).toBeNull();
  });
});

describe('/proc/interrupts', () => {
  const sample = [
    '           CPU0       CPU1       CPU3       ',
    '  0:         44          0          0  IO-APIC   2-edge      timer',
    'NMI:          0          1          2   Non-maskable interrupts',
    'RES:      22600      10983          7   Rescheduling interrupts',
    'TLB:       2701       3174         10   TLB shootdowns',
    'ERR:          0',
    'MIS:          5',
    '',
  ].join('\n');

  it('maps columns to the CPU numbers in the header (offline CPUs are absent)', () => {
    const p = parseInterrupts(sample);
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(p.value.cpus).toEqual([0, 1, 3]);
    expect(p.value.rows.get('TLB')).toEqual({ perCpu: [2701, 3174, 10], total: 5885, description: 'TLB shootdowns' });
  });
  it('reads ERR and MIS as single values', () => {
    const p = parseInterrupts(sample);
    if (!p.ok) throw new Error(p.reason);
    expect(p.value.rows.get('MIS')).toEqual({ perCpu: null, total: 5, description: '' });
  });
  it('rejects a file without a CPU header', () => {
    expect(parseInterrupts('TLB: 1 2 TLB shootdowns').ok).toBe(false);
    expect(parseInterrupts('').ok).toBe(false);
  });
  it('handles 1024 CPUs', () => {
    const n = 1024;
    const header = Array.from({ length: n }, (_, i) => `CPU${i}`).join(' ');
    const row = Array.from({ length: n }, (_, i) => String(i)).join(' ');
    const p = parseInterrupts(`${header}\nTLB: ${row} TLB shootdowns\n`);
    if (!p.ok) throw new Error(p.reason);
    expect(p.value.rows.get('TLB')!.total).toBe((n * (n - 1)) / 2);
  });
});

describe('/proc/meminfo and /proc/vmstat', () => {
  it('reads kB fields and bare page counts, and the per-node form', () => {
    const p = parseMeminfo('MemTotal:       24615776 kB\nHugePages_Total:     512\nHugepagesize:       2048 kB\n');
    if (!p.ok) throw new Error(p.reason);
    expect(p.value.fields.get('MemTotal')).toBe(24615776);
    expect(p.value.fields.get('HugePages_Total')).toBe(512);
    const node = parseMeminfo('Node 0 MemTotal:       24615776 kB\nNode 0 HugePages_Free:      0\n');
    if (!node.ok) throw new Error(node.reason);
    expect(node.value.fields.get('HugePages_Free')).toBe(0);
  });
  it('reads vmstat counters and skips lines without a value', () => {
    const p = parseVmstat('nr_free_pages 123\nnr_memmap_pages 17928\nbroken\nempty \n');
    if (!p.ok) throw new Error(p.reason);
    expect(p.value.get('nr_memmap_pages')).toBe(17928);
    expect(p.value.has('empty')).toBe(false);
    expect(p.value.size).toBe(2);
  });
});

describe('/proc/cmdline', () => {
  it('reads flags, values, quotes and repeated hugepage pairs in order', () => {
    const p = parseCmdline(
      'BOOT_IMAGE=/vmlinuz quiet hugepagesz=1G hugepages=16 hugepagesz=2M hugepages=0:512,1:512 dyndbg="file x.c +p"\n',
    );
    if (!p.ok) throw new Error(p.reason);
    const o = cmdlineObject(p.value);
    expect(o.quiet).toBe(true);
    expect(o.hugepagesz).toEqual(['1G', '2M']);
    expect(o.hugepages).toEqual(['16', '0:512,1:512']);
    expect(o.dyndbg).toBe('file x.c +p');
  });
  it('rejects an unterminated quote', () => {
    expect(parseCmdline('a="b c').ok).toBe(false);
  });
  it('stops at a bare --: what follows is for init', () => {
    const line =
      'BOOT_IMAGE=/vmlinuz-6.8.0-45-generic root=UUID=2b7e0c4d-9f1a-4e55-8d2b-6c1f0e9a7b31 ro quiet splash -- hugepages=512 single\n';
    const p = parseCommandLine(line);
    if (!p.ok) throw new Error(p.reason);
    expect(p.value.params.map((x) => x.key)).toEqual(['BOOT_IMAGE', 'root', 'ro', 'quiet', 'splash']);
    expect(p.value.initArgs).toEqual(['hugepages=512', 'single']);
    const params = parseCmdline(line);
    if (!params.ok) throw new Error(params.reason);
    expect(cmdlineObject(params.value)['hugepages']).toBeUndefined();
    expect(bootParams(params.value).hugepages).toEqual([]);
  });
  it('only a word that is exactly -- ends the parameters, the first one does, and it may be quoted', () => {
    const p = parseCommandLine('ro --foo x=-- hugepages=8 "--" -- hugepages=16 --');
    if (!p.ok) throw new Error(p.reason);
    expect(p.value.params).toEqual([
      { key: 'ro', value: null },
      { key: '--foo', value: null },
      { key: 'x', value: '--' },
      { key: 'hugepages', value: '8' },
    ]);
    expect(p.value.initArgs).toEqual(['--', 'hugepages=16', '--']);
    const none = parseCommandLine('ro quiet\n');
    expect(none.ok && none.value.initArgs).toEqual([]);
  });
});

describe('every parser on arbitrary text', () => {
  const parsers: [string, (t: string) => unknown][] = [
    ['multichoice', parseMultiChoice],
    ['unsigned', parseUnsigned],
    ['idlist', parseIdList],
    ['interrupts', parseInterrupts],
    ['meminfo', parseMeminfo],
    ['vmstat', parseVmstat],
    ['cmdline', parseCmdline],
    ['release', parseKernelRelease],
    ['buddyinfo', parseBuddyinfo],
    ['mounts', parseHugetlbfsMounts],
    ['memsize', parseMemSizeKiB],
    ['snapshot', parseSnapshot],
    [
      'boot params',
      (t: string) => {
        const p = parseCmdline(t);
        return p.ok ? bootParams(p.value) : null;
      },
    ],
  ];
  // Arbitrary strings, and strings built from the characters kernel files are made of.
  const kernelish = fc
    .array(fc.constantFrom(...'0123456789 :[]-,\nCPUTLBkBNode_abc+'.split('')), { maxLength: 300 })
    .map((a) => a.join(''));
  for (const [name, parse] of parsers) {
    it(`${name} never throws`, () => {
      fc.assert(
        fc.property(fc.oneof(fc.string({ maxLength: 300 }), kernelish), (text) => {
          parse(text);
        }),
        { numRuns: 400 },
      );
    });
  }
});

describe('the whole reader on corrupted trees', () => {
  const base = buildTree(TREES.cxl);
  const paths = Object.keys(base);
  it('never throws, whatever the files hold', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...paths), fc.string({ maxLength: 200 })), { minLength: 1, maxLength: 8 }),
        (edits) => {
          const files = { ...base };
          for (const [path, text] of edits) files[path] = text;
          const r = buildReport(readHost(MemoryFiles.fromTexts({ kind: 'sim', label: 'fuzz' }, files)));
          expect(typeof r.tlb.available).toBe('boolean');
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('sizes and boot parameters', () => {
  it('reads memparse sizes', () => {
    expect(parseMemSizeKiB('2M')).toBe(2048);
    expect(parseMemSizeKiB('1G')).toBe(1048576);
    expect(parseMemSizeKiB('1024M')).toBe(1048576);
    expect(parseMemSizeKiB('2097152')).toBe(2048);
    expect(parseMemSizeKiB('lots')).toBeNull();
  });
  it('pairs hugepagesz with hugepages, including the per-node form', () => {
    const p = parseCmdline(
      'default_hugepagesz=1G hugepages=4 hugepagesz=2M hugepages=0:512,1:256 hugepagesz=1G hugepages=8 thp_anon=16K-64K:always hugetlb_cma=0:4G',
    );
    if (!p.ok) throw new Error(p.reason);
    const b = bootParams(p.value);
    // A bare hugepages= before any hugepagesz= is for the default size; a later one for the same size wins.
    expect(b.hugepages).toEqual([
      { pageSizeKiB: 2048, count: 768, perNode: { 0: 512, 1: 256 } },
      { pageSizeKiB: 1048576, count: 8, perNode: null },
    ]);
    expect(b).toMatchObject({
      defaultHugepageSizeKiB: 1048576,
      thpAnon: '16K-64K:always',
      hugetlbCma: '0:4G',
      problems: [],
    });
  });
  it('a count after default_hugepagesz= is for the default size, as the kernel reads it', () => {
    const p = parseCmdline('hugepagesz=2M hugepages=512 default_hugepagesz=1G hugepages=4');
    if (!p.ok) throw new Error(p.reason);
    expect(bootParams(p.value).hugepages).toEqual([
      { pageSizeKiB: 2048, count: 512, perNode: null },
      { pageSizeKiB: 1048576, count: 4, perNode: null },
    ]);
  });
  it('ignores boot parameters after a bare -- even in a hand-built list', () => {
    const b = bootParams([
      { key: 'hugepagesz', value: '1G' },
      { key: 'hugepages', value: '4' },
      { key: '--', value: null },
      { key: 'hugepages', value: '512' },
      { key: 'transparent_hugepage', value: 'never' },
    ]);
    expect(b.hugepages).toEqual([{ pageSizeKiB: 1048576, count: 4, perNode: null }]);
    expect(b.transparentHugepage).toBeNull();
  });
  it('names parameters it cannot read', () => {
    const p = parseCmdline('hugepagesz=huge hugepages=many');
    if (!p.ok) throw new Error(p.reason);
    expect(bootParams(p.value).problems).toEqual([
      'hugepagesz=huge: not a size',
      'hugepages=many: ignored, it follows an invalid hugepagesz=',
    ]);
  });
});
