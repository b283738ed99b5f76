/** The Overview and the app shell, rendered in jsdom against a fake API built from a real capture. */
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ApiEvents, ApiResults, HostSample, HugetuneApi, Method } from '../../shared/api';
import { ApiError, MONITOR_SERIES } from '../../shared/api';
import { MemoryFiles } from '../../shared/host/files';
import { readHost } from '../../shared/host/read/index';
import { buildReport, type Report } from '../../shared/host/report';
import App from '../../renderer/src/App.svelte';
import { tlbRate } from '../../renderer/src/lib/rate';
import { buildTree, TREES } from '../fixtures/trees';
import { fixtureFiles, VM_TUNED } from '../helpers';

const tuned = buildReport(readHost(fixtureFiles(VM_TUNED)));

function liveSample(o: Partial<Omit<HostSample, 'rates'>> & { seq: number; at: number; tlb?: number }): HostSample {
  const { tlb, ...rest } = o;
  const rates = Object.fromEntries(MONITOR_SERIES.map((k) => [k, null])) as HostSample['rates'];
  rates.tlb = tlb ?? null;
  return {
    seconds: null,
    live: true,
    reason: null,
    cpus: null,
    perCpu: null,
    tlbTotal: null,
    notes: [],
    ...rest,
    rates,
  };
}

function fakeApi(report: Report | Error) {
  const listeners = new Set<(s: HostSample) => void>();
  const api: HugetuneApi = {
    call<M extends Method>(method: M): Promise<ApiResults[M]> {
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
        const current = report instanceof Error ? { kind: 'live', label: 'this machine' } : report.source;
        return Promise.resolve({ current, initial: current, version: 0 } as ApiResults[M]);
      }
      if (method === 'source.openSnapshot') {
        return Promise.reject(new ApiError('bad-request', 'snapshot box.json: not JSON'));
      }
      return report instanceof Error ? Promise.reject(report) : Promise.resolve(report as ApiResults[M]);
    },
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

async function render(report: Report | Error) {
  const fake = fakeApi(report);
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
    expect(document.querySelector('[data-testid="card-tlb"] canvas')).not.toBeNull();
    expect(text('source')).toMatch(/fake root/);
  });

  it('updates the TLB figures and rate from live samples', async () => {
    const fake = await render(tuned);
    fake.emit(liveSample({ seq: 1, at: 1000, tlbTotal: 100, cpus: [0, 1] }));
    fake.emit(liveSample({ seq: 2, at: 3000, seconds: 2, tlbTotal: 500, tlb: 200, perCpu: [0, 200] }));
    flushSync();
    expect(text('tlb-total')).toBe('500');
    expect(text('tlb-rate')).toBe('200/s');
  });

  it('explains a missing TLB row instead of showing 0', async () => {
    const arm = MemoryFiles.fromTexts(
      { kind: 'sim', label: 'arm64 box' },
      {
        '/proc/sys/kernel/arch': 'aarch64\n',
        '/proc/interrupts': '   CPU0   CPU1\n IPI0: 1 2 Rescheduling interrupts\n',
      },
    );
    await render(buildReport(readHost(arm)));
    expect(text('tlb-unavailable')).toMatch(/Not counted on this machine: arm64/);
    expect(text('tlb-total')).toBeUndefined();
  });

  it('shows an error banner when the machine cannot be read', async () => {
    await render(new ApiError('failed', 'snapshot is corrupt'));
    expect(document.querySelector('[role="alert"]')?.textContent).toMatch(/snapshot is corrupt/);
  });
});

describe('findings', () => {
  it('lists what the report flags, with its evidence, or says nothing applies', async () => {
    const noble = buildReport(readHost(MemoryFiles.fromTexts({ kind: 'sim', label: 'noble' }, buildTree(TREES.noble))));
    await render(noble);
    expect(text('finding-thp-alignment-regression')).toMatch(/THP alignment regression range/);
    expect(text('finding-hvo-off-with-pools')).toMatch(
      /\/sys\/kernel\/mm\/hugepages\/hugepages-2048kB\/nr_hugepages: 4096/,
    );
    expect(text('no-findings')).toBeUndefined();
  });
  it('says so when nothing applies', async () => {
    await render(tuned);
    expect(text('no-findings')).toMatch(/Nothing to flag/);
  });
  it('shows NUMA nodes, CPU-less ones and tiers', async () => {
    await render(buildReport(readHost(MemoryFiles.fromTexts({ kind: 'sim', label: 'cxl' }, buildTree(TREES.cxl)))));
    expect(text('numa-node-1')).toMatch(/none \(memory only\).*22/);
    expect(text('finding-tiering-demotion')).toMatch(/CPU-less node 1/);
  });
});

describe('source switcher', () => {
  it('shows the source and reports a bad snapshot without leaving the current one', async () => {
    await render(tuned);
    expect(text('source-label')).toMatch(/fake root/);
    const input = document.querySelector<HTMLInputElement>('[data-testid="snapshot-input"]')!;
    const file = new File(['{nope'], 'box.json', { type: 'application/json' });
    Object.defineProperty(input, 'files', { value: [file], configurable: true });
    input.dispatchEvent(new Event('change', { bubbles: true }));
    await until('the error banner', () => text('app-error') !== undefined);
    expect(text('app-error')).toBe('snapshot box.json: not JSON');
    expect(text('kernel-release')).toBe('6.18.44-fc-v595');
  });
});

describe('tlbRate', () => {
  it('picks the rate and the busiest CPU out of a sample', () => {
    const r = tlbRate(liveSample({ seq: 2, at: 2000, seconds: 2, tlb: 10, perCpu: [2, -1, 8] }), [0, 1, 2]);
    expect(r).toEqual({ perSecond: 10, maxCpu: { cpu: 2, perSecond: 8 } });
  });
  it('gives no rate when the sample has none (first reading, reboot, no TLB row)', () => {
    expect(tlbRate(liveSample({ seq: 1, at: 0 }), [0])).toBeNull();
  });
});
