/** The shell and the machine views in jsdom against a fake API: navigation, themes, formatting, live figures. */
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ApiEvents, ApiResults, HostSample, HugetuneApi, Method, SourceState } from '../../shared/api';
import { MemoryFiles, type SourceKind } from '../../shared/host/files';
import { readHost } from '../../shared/host/read/index';
import { buildReport, type Report } from '../../shared/host/report';
import App from '../../renderer/src/App.svelte';
import Pools from '../../renderer/src/views/Pools.svelte';
import { clockTime, count, exactKiB, mem, memIn, rate, tierName, unitFor } from '../../renderer/src/lib/format';
import { LiveStore } from '../../renderer/src/lib/live.svelte';
import { MachineStore } from '../../renderer/src/lib/machine.svelte';
import { sampleFigures } from '../../renderer/src/lib/sample-figures';
import { buildTree, TREES } from '../fixtures/trees';
import { fixtureFiles, VM_TUNED } from '../helpers';
import { answeringFirstScreen } from '../mocks/first-screen';
import { hostSample } from '../mocks/host-sample';

const tuned = buildReport(readHost(fixtureFiles(VM_TUNED)));
const arm = buildReport(readHost(MemoryFiles.fromTexts({ kind: 'sim', label: 'arm' }, buildTree(TREES.arm64))));

function fakeApi(report: Report, kind: SourceKind = report.source.kind) {
  const listeners = new Set<(s: HostSample) => void>();
  const calls: string[] = [];
  const api: HugetuneApi = {
    call: answeringFirstScreen(<M extends Method>(method: M): Promise<ApiResults[M]> => {
      calls.push(method);
      const source = { ...report.source, kind };
      if (method === 'app.info') {
        return Promise.resolve({
          name: 'hugetune',
          version: '1',
          frontEnd: 'web',
          source,
          sampleIntervalMs: 1000,
        } as ApiResults[M]);
      }
      if (method === 'source.get')
        return Promise.resolve({ current: source, initial: source, version: 0 } as ApiResults[M]);
      if (method === 'host.report') return Promise.resolve(report as ApiResults[M]);
      return new Promise(() => {});
    }),
    subscribe<E extends keyof ApiEvents>(_e: E, l: (p: ApiEvents[E]) => void) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  return { api, calls, emit: (s: HostSample) => listeners.forEach((l) => l(s)) };
}

let app: ReturnType<typeof mount> | null = null;
afterEach(() => {
  if (app) void unmount(app);
  app = null;
  document.body.innerHTML = '';
  localStorage.clear();
});

async function until(what: string, done: () => boolean): Promise<void> {
  await vi.waitFor(
    () => {
      flushSync();
      if (!done()) throw new Error(`still waiting for ${what}`);
    },
    { timeout: 10_000, interval: 5 },
  );
}
const q = (id: string) => document.querySelector(`[data-testid="${id}"]`);
const text = (id: string) => q(id)?.textContent?.replace(/\s+/g, ' ').trim();

async function render(report: Report, kind?: SourceKind) {
  const fake = fakeApi(report, kind);
  app = mount(App, { target: document.body, props: { api: fake.api } });
  await until('the overview', () => q('card-kernel') !== null);
  return fake;
}

async function open(id: string, ready: string): Promise<void> {
  (q(`tab-${id}`) as HTMLButtonElement).click();
  await until(ready, () => q(ready) !== null);
}

describe('the shell', () => {
  it('lists every area in the sidebar, opens each under its own heading, and asks for the report once per visit', async () => {
    const fake = await render(tuned);
    const ids = [...document.querySelectorAll('nav[aria-label="Areas"] button')].map((b) =>
      b.getAttribute('data-view'),
    );
    expect(ids).toEqual([
      'overview',
      'thp',
      'pools',
      'hvo',
      'monitor',
      'processes',
      'planner',
      'advisor',
      'setup',
      'simulator',
      'compare',
    ]);
    expect(fake.calls.filter((c) => c === 'host.report')).toHaveLength(1);
    await open('thp', 'thp-policy');
    expect(text('view-title')).toBe('THP');
    expect(q('tab-thp')?.getAttribute('aria-current')).toBe('page');
    expect(document.querySelectorAll('h1')).toHaveLength(1);
    expect(fake.calls.filter((c) => c === 'host.report')).toHaveLength(2);
    await open('pools', 'pools-growth');
    await open('hvo', 'hvo-sizes');
    expect(fake.calls.filter((c) => c === 'host.report')).toHaveLength(4);
  });

  it('moves between areas with the arrow keys', async () => {
    await render(tuned);
    const first = q('tab-overview') as HTMLButtonElement;
    first.focus();
    first.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
    expect(document.activeElement).toBe(q('tab-thp'));
    (document.activeElement as HTMLElement).dispatchEvent(new KeyboardEvent('keydown', { key: 'End', bubbles: true }));
    expect(document.activeElement).toBe(q('tab-compare'));
  });

  it('switches the theme and remembers the pick', async () => {
    await render(tuned);
    const select = q('theme') as HTMLSelectElement;
    select.value = 'dark';
    select.dispatchEvent(new Event('change', { bubbles: true }));
    flushSync();
    expect(document.documentElement.dataset['theme']).toBe('dark');
    expect(localStorage.getItem('hugetune.theme')).toBe('dark');
    select.value = 'system';
    select.dispatchEvent(new Event('change', { bubbles: true }));
    flushSync();
    expect(localStorage.getItem('hugetune.theme')).toBeNull();
  });
});

describe('machine views', () => {
  it('THP: sizes with inherit resolved, khugepaged, and event rates from live samples', async () => {
    const fake = await render(tuned, 'live');
    await open('thp', 'thp-events');
    expect(text('thp-rates-note')).toMatch(/Rates appear/);
    fake.emit(
      hostSample(1, {
        tlb: 5,
        rates: { thpFault: 2.5, thpFallback: 0, thpSplit: 3 },
        tlbTotal: 9,
        perCpu: [5],
        cpus: [0],
      }),
    );
    flushSync();
    const rateOf = (k: string) =>
      document.querySelector(`[data-testid="thp-event-${k}"] [data-testid="rate"]`)?.textContent;
    expect(rateOf('thp_fault_alloc')).toBe('2.5/s');
    expect(rateOf('thp_split_page')).toBe('3/s');
    expect(rateOf('thp_collapse_alloc')).toBe('—');
    expect(text('thp-khugepaged')).toMatch(/Pages scanned per pass/);
    // 8 KiB has no anon `enabled` file: a shmem-only size, not an unknown one.
    const row8 = [...(q('thp-size-8')?.querySelectorAll('td') ?? [])].map((c) => c.textContent.trim());
    expect(row8[1]).toBe('not for anonymous memory (shmem-only size)');
    expect(row8).not.toContain('unknown');
    expect(row8.slice(3, 5)).toEqual(['n/a', 'n/a']);
  });

  it('THP: a captured source says rates need a live source', async () => {
    const fake = await render(tuned);
    await open('thp', 'thp-events');
    fake.emit(hostSample(1, { tlb: 5, rates: { thpFault: 12.5, thpFallback: 0, thpCollapse: 0, thpSplit: 3 } }));
    flushSync();
    expect(text('thp-rates-note')).toMatch(/Rates need a live source/);
    expect(document.querySelector('[data-testid="thp-event-thp_fault_alloc"] [data-testid="rate"]')?.textContent).toBe(
      '—',
    );
  });

  it('Pools: totals per size and per node, and room to grow from buddyinfo', async () => {
    await render(tuned);
    await open('pools', 'pools-growth');
    const cells = (id: string) =>
      [...(q(id)?.querySelectorAll('th,td') ?? [])].map((c) => c.textContent?.replace(/\s+/g, ' ').trim());
    expect(cells('pool-2048').slice(0, 3)).toEqual(['2 MiB default', '512', '512']);
    expect(cells('growth-0-2048').slice(0, 3)).toEqual([
      'node 0',
      '2 MiB',
      count(tuned.hugetlb.growth!.free2MiBBlocks),
    ]);
    expect(cells('growth-0-1048576')[2]).toBe('needs compaction');
  });

  it('HVO: on, with the saving for the pools (512 × 28 KiB + 2 × 16,380 KiB)', async () => {
    await render(tuned);
    await open('hvo', 'hvo-pools');
    expect(text('hvo-enabled')).toBe('on');
    expect(q('hvo-pool-saving')?.getAttribute('title')).toBe(exactKiB(512 * 28 + 2 * 16380));
    // One unit and one number of decimals for the column: 14 MiB and 31.99 MiB read 14.0 and 32.0.
    const savings = [...(q('hvo-pools')?.querySelectorAll('td.num[title]') ?? [])].map((c) => c.textContent.trim());
    expect(savings).toEqual(['14.0 MiB', '32.0 MiB', '46.0 MiB']);
  });

  it('HVO on arm64: not applicable, not a red "off", with the architecture\'s page sizes', async () => {
    await render(arm);
    expect(text('hvo-enabled')).toBe('not applicable');
    expect(q('hvo-enabled')?.className).not.toMatch(/\boff\b/);
    await open('hvo', 'hvo-sizes');
    expect(q('hvo-size-64K')).not.toBeNull();
    expect(q('hvo-size-32M')).not.toBeNull();
    // With the 4K granule: 64K is CONT_PTE, 2M a PMD block, 32M CONT_PMD, 1G a PUD block.
    const level = (size: string) =>
      q(`hvo-size-${size}`)?.querySelector('[data-testid="hvo-size-level"]')?.textContent.trim();
    expect(['64K', '2M', '32M', '1G'].map(level)).toEqual(['PTE (contiguous)', 'PMD', 'PMD (contiguous)', 'PUD']);
    expect(text('hvo-sizes-note')).not.toMatch(/HVO keeps/);
    expect(text('hvo-check-why')).toMatch(/./);
  });

  it('Overview: says so and stops showing live figures when the samples stop', async () => {
    // The staleness check runs on an interval against Date.now: both under the test's control.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    try {
      const fake = await render(tuned, 'live');
      fake.emit(hostSample(1, { tlb: null, seconds: null, tlbTotal: 100, cpus: [0], perCpu: [-1] }));
      fake.emit(hostSample(2, { tlb: 200, tlbTotal: 300, perCpu: [200] }));
      flushSync();
      expect(text('tlb-rate')).toBe('200/s');
      expect(q('connection-lost')).toBeNull();
      vi.advanceTimersByTime(4000);
      flushSync();
      expect(text('connection-lost')).toMatch(/connection to hugetune is lost/);
      expect(text('tlb-rate')).toBeUndefined();
      expect(text('tlb-note')).toMatch(/connection to hugetune is lost/);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('the frame of a machine view', () => {
  it('says the machine is being read until the report is in, and why it could not be read if it fails', async () => {
    let fail: (e: Error) => void = () => {};
    const api = {
      call: () => new Promise((_, reject) => (fail = reject)),
      subscribe: () => () => {},
    } as unknown as HugetuneApi;
    const live = new LiveStore(api, 'root', 1000);
    const root = { kind: 'root', label: 'r' } as const;
    const source: SourceState = {
      current: root,
      initial: root,
      version: 0,
      simProfile: null,
      simRun: null,
      liveUnavailable: null,
    };
    app = mount(Pools, { target: document.body, props: { machine: new MachineStore(api), live, source } });
    flushSync();
    expect(document.body.textContent).toMatch(/Reading the machine…/);
    fail(new Error('host.report: no such root'));
    await until('the error', () => document.querySelector('[role="alert"]') !== null);
    expect(document.querySelector('[role="alert"]')?.textContent).toBe(
      'Could not read the machine: host.report: no such root',
    );
    expect(document.body.textContent).not.toMatch(/Reading the machine/);
    expect(q('pools-sizes')).toBeNull();
    live.close();
  });
});

describe('LiveStore', () => {
  it('calls the stream lost after three missed intervals, and live again on the next sample', () => {
    let now = 0;
    let emit: (s: HostSample) => void = () => {};
    const api = {
      call: () => new Promise(() => {}),
      subscribe: (_e: string, l: (s: HostSample) => void) => {
        emit = l;
        return () => {};
      },
    } as unknown as HugetuneApi;
    const live = new LiveStore(api, 'live', 1000, () => now);
    emit(hostSample(0));
    now = 3000;
    live.check();
    expect(live.lost).toBe(false);
    now = 3001;
    live.check();
    expect(live.lost).toBe(true);
    emit(hostSample(1));
    expect(live.lost).toBe(false);
    live.close();
  });
});

describe('format', () => {
  it('one unit per column, exact figures for the title', () => {
    const col = [41.7 * 1048576, 2560 * 1024, 512];
    const u = unitFor(col);
    expect(u).toBe('GiB');
    expect(col.map((v) => memIn(v, u))).toEqual(['41.7 GiB', '2.5 GiB', '< 0.1 GiB']);
    expect(mem(2048)).toBe('2 MiB');
    expect(mem(null)).toBe('unknown');
    expect(exactKiB(2048)).toBe('2,048 KiB (2,097,152 bytes)');
  });
  it('rates and tiers as people read them', () => {
    expect(rate(18660.4)).toBe('18,660/s');
    expect(rate(0.42)).toBe('0.4/s');
    expect(rate(0)).toBe('0/s');
    expect(tierName(4)).toBe('DRAM');
    expect(tierName(22)).toMatch(/slower than DRAM/);
  });
  it('clock times as a 24-hour clock, the same text as en-GB locale time', () => {
    for (const ms of [0, 1_700_000_000_000, 1_700_000_043_210, Date.UTC(2026, 10, 23, 23, 59, 59)])
      expect(clockTime(ms)).toBe(new Date(ms).toLocaleTimeString('en-GB'));
  });
});

describe('sampleFigures', () => {
  it('picks the rates the sampler computed; a captured source gives no THP rates', () => {
    const rated = sampleFigures(
      hostSample(1, { tlb: 7, rates: { thpFault: 1 }, tlbTotal: 70, perCpu: [3, 4] }),
      [2, 5],
    );
    expect(rated.tlb).toEqual({ perSecond: 7, maxCpu: { cpu: 5, perSecond: 4 } });
    expect(rated.tlbTotal).toBe(70);
    expect(rated.cpuCount).toBe(2);
    expect(rated.thp?.thpFault).toBe(1);
    expect(rated.thp?.thpSplit).toBeNull();
    const captured = sampleFigures(hostSample(1, { live: false, tlb: null, tlbTotal: 70 }), null);
    expect(captured).toEqual({ tlbTotal: 70, cpuCount: null, tlb: null, thp: null });
  });
});
