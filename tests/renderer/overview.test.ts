/** The Overview and the app shell, rendered in jsdom against a fake API built from a real capture. */
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ApiEvents, ApiResults, HostSample, HugetuneApi, Method } from '../../shared/api';
import { ApiError } from '../../shared/api';
import type { SourceKind } from '../../shared/host/files';
import { readHost } from '../../shared/host/read/index';
import { buildReport, type Report } from '../../shared/host/report';
import App from '../../renderer/src/App.svelte';
import { answeringFirstScreen } from '../mocks/first-screen';
import { hostSample } from '../mocks/host-sample';
import { tlbRate } from '../../renderer/src/lib/rate';
import { fixtureFiles, VM_TUNED } from '../helpers';

const tuned = buildReport(readHost(fixtureFiles(VM_TUNED)));

function fakeApi(report: Report | Error, kind?: SourceKind) {
  const listeners = new Set<(s: HostSample) => void>();
  const api: HugetuneApi = {
    call: answeringFirstScreen(<M extends Method>(method: M): Promise<ApiResults[M]> => {
      if (method === 'app.info') {
        return Promise.resolve({
          name: 'hugetune',
          version: '1.2.3',
          frontEnd: 'web',
          source: report instanceof Error ? { kind: 'live', label: 'this machine' } : report.source,
          sampleIntervalMs: 1000,
        } as ApiResults[M]);
      }
      if (method === 'source.get') {
        const given = report instanceof Error ? { kind: 'live', label: 'this machine' } : report.source;
        const current = kind ? { ...given, kind } : given;
        return Promise.resolve({ current, initial: current, version: 0 } as ApiResults[M]);
      }
      if (method === 'source.openSnapshot') {
        return Promise.reject(new ApiError('bad-request', 'snapshot box.json: not JSON'));
      }
      return report instanceof Error ? Promise.reject(report) : Promise.resolve(report as ApiResults[M]);
    }),
    subscribe<E extends keyof ApiEvents>(_e: E, l: (p: ApiEvents[E]) => void) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  return { api, emit: (s: HostSample) => listeners.forEach((l) => l(s)) };
}

let app: ReturnType<typeof mount> | null = null;
afterEach(() => {
  if (app) void unmount(app);
  app = null;
  document.body.innerHTML = '';
});

/**
 * Waits for a condition the UI reaches after its API calls settle, flushing Svelte's updates on every try;
 * waiting for the condition rather than a fixed delay holds however slow the machine is.
 */
async function until(what: string, done: () => boolean): Promise<void> {
  await vi.waitFor(
    () => {
      flushSync();
      if (!done()) throw new Error(`still waiting for ${what}`);
    },
    { timeout: 10_000, interval: 5 },
  );
}

async function render(report: Report | Error, kind?: SourceKind) {
  const fake = fakeApi(report, kind);
  app = mount(App, { target: document.body, props: { api: fake.api } });
  // Loaded: the app knows its source, and the Overview shows the report or why there is none.
  await until(
    'the first report',
    () =>
      document.querySelector('[data-testid="source-label"]') !== null &&
      document.querySelector('[data-testid="card-kernel"], [role="alert"]') !== null,
  );
  return fake;
}

const text = (id: string) => document.querySelector(`[data-testid="${id}"]`)?.textContent?.trim();

describe('Overview', () => {
  it('shows kernel, THP, pools, HVO and TLB from the report', async () => {
    await render(tuned);
    expect(text('kernel-release')).toBe('6.18.44-fc-v595');
    expect(text('kernel-arch')).toBe('x86_64');
    expect(text('thp-enabled')).toBe('always');
    expect(text('thp-defrag')).toBe('madvise');
    expect(text('hvo-enabled')).toBe('on');
    const rows = [...document.querySelectorAll('[data-testid="card-pools"] tbody tr')].map((tr) =>
      [...tr.querySelectorAll('th,td')].slice(0, 3).map((c) => c.textContent?.replace(/\s+/g, ' ').trim()),
    );
    expect(rows).toEqual([
      ['2 MiB default', '512', '512'],
      ['1 GiB', '2', '2'],
    ]);
    expect(text('tlb-total')).toBe(tuned.tlb.total!.toLocaleString('en-US'));
    expect(text('source')).toMatch(/fake root/);
    expect(text('view-title')).toBe('Overview');
  });

  it('draws the memory composition with its numbers as a table, parts adding up to MemTotal', async () => {
    await render(tuned);
    const rows = [...document.querySelectorAll('[data-testid="memory-table"] tbody tr')];
    const kinds = rows.map((r) => r.getAttribute('data-testid'));
    expect(kinds).toEqual([
      'mem-used',
      'mem-cache',
      'mem-hugetlb-2048',
      'mem-hugetlb-1048576',
      'mem-thp',
      'mem-pagetables',
      'mem-free',
    ]);
    // One unit for the whole column, the exact figure on hover.
    const units = new Set(rows.map((r) => r.querySelectorAll('td')[0]!.textContent.trim().split(' ').pop()));
    expect([...units]).toEqual(['GiB']);
    expect(document.querySelector('[data-testid="mem-hugetlb-1048576"] td')?.getAttribute('title')).toBe(
      '2,097,152 KiB (2,147,483,648 bytes)',
    );
    expect(document.querySelectorAll('svg.membar rect').length).toBeGreaterThan(3);
    expect(document.querySelector('[style]')).toBeNull();
  });

  it('a meminfo line the kernel did not write reads "unknown", not 0 GiB', async () => {
    const { PageTables: _pt, ...meminfo } = tuned.memory.meminfo!;
    await render({ ...tuned, memory: { ...tuned.memory, meminfo } });
    const cells = [...document.querySelectorAll('[data-testid="mem-pagetables"] td')].map((td) =>
      td.textContent.trim(),
    );
    expect(cells).toEqual(['unknown', 'unknown']);
    expect(document.querySelector('[data-testid="mem-used"] th')?.textContent).toMatch(/page tables: not in/);
    expect(document.querySelector('svg.membar')?.getAttribute('aria-label')).toMatch(/Page tables unknown/);
  });

  it('a captured source shows counts as captured and never claims a sampling rate', async () => {
    const fake = await render(tuned);
    const captured = { live: false, reason: 'a snapshot holds one moment', tlb: null, seconds: null, tlbTotal: 100 };
    fake.emit(hostSample(1, captured));
    fake.emit(hostSample(2, captured));
    flushSync();
    expect(text('tlb-rate')).toBeUndefined();
    expect(text('tlb-note')).toMatch(/rates need a live source/);
    expect(text('tlb-note')).not.toMatch(/Sampled every/);
  });

  it('updates the TLB figures and rate from live samples', async () => {
    const fake = await render(tuned, 'live');
    fake.emit(hostSample(1, { tlb: null, seconds: null, tlbTotal: 100, cpus: [0, 1], perCpu: [-1, -1] }));
    fake.emit(hostSample(2, { tlb: 200, tlbTotal: 500, perCpu: [0, 200] }));
    flushSync();
    expect(text('tlb-total')).toBe('500');
    expect(text('tlb-rate')).toBe('200/s');
    expect(text('kernel-release')).toBe('6.18.44-fc-v595');
  });
});

describe('tlbRate', () => {
  it('takes the rate and finds the busiest CPU, skipping CPUs without a rate this tick', () => {
    const s = hostSample(3, { tlb: 10, perCpu: [2, -1, 8] });
    expect(tlbRate(s, [0, 1, 2])).toEqual({ perSecond: 10, maxCpu: { cpu: 2, perSecond: 8 } });
    // Without the CPU list (or one of another length) there is no busiest CPU to name.
    expect(tlbRate(s, null)).toEqual({ perSecond: 10, maxCpu: null });
    expect(tlbRate(s, [0, 1])).toEqual({ perSecond: 10, maxCpu: null });
  });
  it('gives no rate where the sampler had none (a reboot, a first reading, no TLB row)', () => {
    expect(tlbRate(hostSample(1, { tlb: null }), [0])).toBeNull();
  });
});
