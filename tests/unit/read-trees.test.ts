/** The readers on hand-written trees: what other kernels and machines show, and broken files. */
import { describe, expect, it } from 'vitest';
import { MemoryFiles, type FileRead } from '../../shared/host/files';
import { readHost } from '../../shared/host/read/index';
import { buildReport } from '../../shared/host/report';

const SRC = { kind: 'sim', label: 'test tree' } as const;

function tree(texts: Record<string, string>, extra: Record<string, FileRead> = {}): MemoryFiles {
  const map = new Map<string, FileRead>(Object.entries(texts).map(([p, t]) => [p, { kind: 'text', text: t }]));
  for (const [p, r] of Object.entries(extra)) map.set(p, r);
  return new MemoryFiles(SRC, map);
}

const ARM64 = {
  '/proc/sys/kernel/osrelease': '6.8.0-45-generic\n',
  '/proc/sys/kernel/arch': 'aarch64\n',
  '/proc/cmdline': 'console=ttyAMA0\n',
  '/proc/meminfo': 'MemTotal: 65536000 kB\nMemAvailable: 60000000 kB\nHugepagesize: 2048 kB\n',
  '/proc/interrupts':
    '           CPU0       CPU1       \n IPI0:  10  20  Rescheduling interrupts\n IPI1:  5  6  Function call interrupts\n',
  '/sys/kernel/mm/transparent_hugepage/enabled': '[always] madvise never\n',
  '/sys/kernel/mm/transparent_hugepage/defrag': 'always defer defer+madvise [madvise] never\n',
  '/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages': '0\n',
};

describe('hand-written trees', () => {
  it('arm64: no TLB row is "not available" with the reason, never 0', () => {
    const r = buildReport(readHost(tree(ARM64)));
    expect(r.tlb.available).toBe(false);
    expect(r.tlb.total).toBeNull();
    expect(r.tlb.reason).toMatch(/arm64.*TLBI/);
    expect(r.thp.enabled).toBe('always');
  });

  it('a kernel without THP or HugeTLB reads as absent, not as zero', () => {
    const r = buildReport(
      readHost(tree({ '/proc/sys/kernel/osrelease': '4.18.0-553.el8_10.x86_64\n', '/sys/kernel/mm/ksm/run': '0\n' })),
    );
    expect(r.kernel.arch).toBe('x86_64');
    expect(r.thp.present).toBe(false);
    expect(r.thp.enabled).toBeNull();
    expect(r.hugetlb.pools).toEqual([]);
    expect(r.hvo.enabled).toBeNull();
    expect(r.hvo.memmapPages).toBeNull();
  });

  it('a denied file is reported as denied and its value stays unknown', () => {
    const r = buildReport(readHost(tree(ARM64, { '/sys/kernel/mm/transparent_hugepage/enabled': { kind: 'denied' } })));
    expect(r.thp.enabled).toBeNull();
    expect(r.diagnostics).toContainEqual({
      path: '/sys/kernel/mm/transparent_hugepage/enabled',
      problem: 'denied',
      detail: 'permission denied',
    });
  });

  it('a malformed file says why', () => {
    const r = buildReport(
      readHost(tree({ ...ARM64, '/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages': 'lots\n' })),
    );
    expect(r.hugetlb.pools[0]!.total).toBeNull();
    const d = r.diagnostics.find((x) => x.path.endsWith('nr_hugepages'));
    expect(d?.problem).toBe('malformed');
    expect(d?.detail).toMatch(/non-negative integer/);
  });

  it('HVO: the config decides when the sysctl is absent', () => {
    const withConfig = tree({ ...ARM64, '/proc/config.gz': '# CONFIG_HUGETLB_PAGE_OPTIMIZE_VMEMMAP is not set\n' });
    expect(buildReport(readHost(withConfig)).hvo).toMatchObject({ compiled: false, enabled: false });
    const boot = tree({
      '/proc/sys/kernel/osrelease': '5.15.0-1\n',
      '/boot/config-5.15.0-1': 'CONFIG_HUGETLB_PAGE_FREE_VMEMMAP=y\n',
      '/proc/cmdline': 'hugetlb_free_vmemmap=on\n',
    });
    expect(buildReport(readHost(boot)).hvo).toMatchObject({ compiled: true, enabled: true });
  });
});
