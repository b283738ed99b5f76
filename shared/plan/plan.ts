/**
 * The planner: will this model fit on this machine, with what backing, and what does it need? Every term
 * is listed with its source. Pure and synchronous: a full plan takes well under a millisecond.
 */
import { QUANTS, findQuant } from './catalog';
import type { KvType } from './ggml-types';
import { computeBufferBytes, kvCacheBytes } from './kv';
import { catalogSpec, type ModelSpec } from './model';
import { pageTableKiB, tlbEntries, type Mapping } from './pagetables';
import { hvoSavedKiB } from './vmemmap';

export type PageSize = '4K' | '2M' | '1G';
export const PAGE_KIB: Record<PageSize, number> = { '4K': 4, '2M': 2048, '1G': 1048576 };

export interface PlanMachine {
  label: string;
  totalMiB: number;
  /** Memory the runtime could use before any HugeTLB pool is reserved. */
  availableMiB: number;
  nodes: { id: number; memMiB: number; hasCpus: boolean }[];
  /** Pools that already exist (their pages count toward what is needed). */
  pools: { pageSizeKiB: number; total: number }[];
  hvoAvailable: boolean | null;
  supports1G: boolean | null;
  thpEnabled: string | null;
}

export type PlanModel = { kind: 'spec'; spec: ModelSpec } | { kind: 'footprint'; mib: number };

export interface PlanInput {
  model: PlanModel;
  ctx: number;
  kvType: KvType;
  pageSize: PageSize;
  /** For 4K pages: llama.cpp's default mmap of the file, or anonymous memory (--no-mmap, where THP applies). */
  backing4k: 'mmap' | 'anon';
  mlock: boolean;
  hvo: boolean;
  reserveMiB: number | null;
  numa: 'interleave' | 'bind';
  machine: PlanMachine;
}

export interface Term {
  label: string;
  mib: number;
  source: string;
}

export interface Suggestion {
  change: string;
  flags: string;
  fits: boolean;
  marginMiB: number;
}

export interface PlanResult {
  model: string;
  machine: string;
  fits: boolean;
  marginMiB: number;
  availableMiB: number;
  needMiB: number;
  footprintMiB: number;
  pageSizeKiB: number;
  backing: 'mmap' | 'anon' | 'hugetlb';
  hugepagesNeeded: number;
  /** Pages to add to what the pool already holds. */
  hugepagesToAdd: number;
  vmemmap: { savedKiB: number; savedMiB: number; perPageKiB: number };
  pageTablesKiB: number;
  pageTablesByPageSize: Record<PageSize, number>;
  tlbEntries: Record<PageSize, number>;
  breakdown: Term[];
  perNode: { node: number; hugepages: number; mib: number; nodeMemMiB: number; fits: boolean }[];
  numactl: string;
  commands: string[];
  notes: string[];
  suggestions: Suggestion[];
}

const MIB = 1048576;
const round1 = (x: number): number => Math.round(x * 10) / 10;

export function defaultReserveMiB(totalMiB: number): number {
  return Math.round(Math.max(1024, Math.min(4096, totalMiB * 0.05)));
}

function mappingFor(pageSize: PageSize, backing4k: 'mmap' | 'anon'): Mapping {
  if (pageSize === '2M') return 'hugetlb-2m';
  if (pageSize === '1G') return 'hugetlb-1g';
  return backing4k === 'anon' ? 'thp' : '4k';
}

/** The plan without suggestions (suggestions re-run this with one thing changed). */
function core(i: PlanInput): Omit<PlanResult, 'suggestions'> {
  const pageKiB = PAGE_KIB[i.pageSize];
  const hugetlb = i.pageSize !== '4K';
  const breakdown: Term[] = [];
  const notes: string[] = [];
  let pinnedKiB: number; // the part the backing applies to (weights, or the whole given footprint)
  let restKiB = 0; // anonymous memory beside it: KV cache, compute buffers, runtime
  let name: string;

  if (i.model.kind === 'footprint') {
    name = `footprint ${i.model.mib} MiB`;
    pinnedKiB = i.model.mib * 1024;
    breakdown.push({ label: 'Runtime footprint (given)', mib: i.model.mib, source: '--footprint-mib' });
  } else {
    const m = i.model.spec;
    name = m.name;
    const kv = kvCacheBytes(m, i.ctx, i.kvType);
    const compute = computeBufferBytes(m);
    const runtime = 256 * MIB;
    pinnedKiB = m.weightsBytes / 1024;
    restKiB = (kv + compute + runtime) / 1024;
    breakdown.push({ label: 'Model weights', mib: round1(m.weightsBytes / MIB), source: m.weightsSource });
    const kvSrc =
      m.kv.kind === 'mla'
        ? `${i.ctx} tokens × ${m.layers} layers × ${m.kv.latentPerToken} latent values (MLA) × ${i.kvType}`
        : `${i.ctx} tokens × ${m.layers} layers × ${m.kv.kPerToken}+${m.kv.vPerToken} K+V values × ${i.kvType}` +
          (m.kv.slidingWindow
            ? `; ${m.kv.slidingLayers} sliding-window layers keep ${m.kv.slidingWindow}+512 tokens`
            : '');
    breakdown.push({ label: `KV cache (${i.kvType}, ${i.ctx} tokens)`, mib: round1(kv / MIB), source: kvSrc });
    breakdown.push({
      label: 'Compute buffers',
      mib: round1(compute / MIB),
      source: 'estimate: llama.cpp micro-batch of 512 (logits and activations)',
    });
    breakdown.push({ label: 'Runtime overhead', mib: 256, source: 'process, libraries, tokenizer (a stated default)' });
    if (i.ctx > m.contextMax) notes.push(`${i.ctx} tokens is more than the model's trained context (${m.contextMax}).`);
  }

  const hugepagesNeeded = hugetlb ? Math.ceil(pinnedKiB / pageKiB) : 0;
  const existing = i.machine.pools.find((p) => p.pageSizeKiB === pageKiB)?.total ?? 0;
  const poolKiB = hugepagesNeeded * pageKiB;
  if (hugetlb && poolKiB > pinnedKiB) {
    breakdown.push({
      label: 'Pool rounding',
      mib: round1((poolKiB - pinnedKiB) / 1024),
      source: `${hugepagesNeeded} pages of ${i.pageSize} hold the weights`,
    });
  }

  const mapping = mappingFor(i.pageSize, i.backing4k);
  const restMapping: Mapping = '4k';
  const pt = (m: Mapping): number =>
    pageTableKiB(pinnedKiB, m) + (restKiB > 0 ? pageTableKiB(restKiB, restMapping) : 0);
  const pageTablesKiB = pt(mapping);
  breakdown.push({
    label: 'Page tables',
    mib: round1(pageTablesKiB / 1024),
    source:
      mapping === 'hugetlb-1g'
        ? 'one 4 KiB PUD table per 512 GiB of 1 GiB pages, plus 4 KiB pages for the rest'
        : mapping === 'hugetlb-2m'
          ? 'one 4 KiB PMD table per GiB of 2 MiB pages, plus 4 KiB pages for the rest'
          : mapping === 'thp'
            ? 'anonymous THP still deposits a 4 KiB PTE table per 2 MiB: about 2 MiB per GiB'
            : 'a 4 KiB PTE table per 2 MiB mapped: about 2 MiB per GiB',
  });

  // HVO gives back only where the kernel can do it; elsewhere the figure would flatter the verdict.
  const hvoCounts = hugetlb && i.hvo && i.machine.hvoAvailable !== false;
  const perPageKiB = hvoCounts ? hvoSavedKiB(pageKiB, 1) : 0;
  const savedKiB = perPageKiB * hugepagesNeeded;
  if (savedKiB > 0) {
    breakdown.push({
      label: 'HVO gives back',
      mib: -round1(savedKiB / 1024),
      source: `${perPageKiB} KiB of struct page per ${i.pageSize} page (${pageKiB === 2048 ? '7 of 8' : '4,095 of 4,096'} vmemmap pages)`,
    });
  }
  const reserveMiB = i.reserveMiB ?? defaultReserveMiB(i.machine.totalMiB);
  breakdown.push({
    label: 'OS safety reserve',
    mib: reserveMiB,
    source: i.reserveMiB === null ? 'default: 5% of RAM, at least 1 GiB and at most 4 GiB' : '--reserve-mib',
  });

  const needMiB = round1(breakdown.reduce((s, t) => s + t.mib, 0));
  const marginMiB = round1(i.machine.availableMiB - needMiB);
  const footprintMiB = round1((pinnedKiB + restKiB) / 1024);

  if (hugetlb && i.hvo && i.machine.hvoAvailable === false) {
    notes.push('HVO is not available on this kernel or architecture: nothing is counted for it.');
  }
  const no1G = i.pageSize === '1G' && i.machine.supports1G === false;
  if (no1G) notes.push('This machine cannot map 1 GiB pages (the CPU has no pdpe1gb): use 2M pages.');
  if (i.pageSize === '4K' && i.backing4k === 'mmap' && !i.mlock) {
    notes.push(
      'With mmap the weights live in the page cache: under memory pressure the kernel drops them and rereads the file (slow, not a crash).',
    );
  }
  if (i.pageSize === '4K' && i.backing4k === 'anon' && i.machine.thpEnabled === 'never') {
    notes.push('THP is off (never): anonymous weights get 4 KiB pages only.');
  }
  if (i.pageSize === '1G')
    notes.push('1 GiB pages are reliably had only at boot: hugepagesz=1G hugepages=N (or hugetlb_cma=).');

  // Per NUMA node: a pool per node, either spread (interleave) or all on one node (bind).
  const memNodes = i.machine.nodes.filter((n) => n.memMiB > 0);
  const perNode: PlanResult['perNode'] = [];
  let numactl = '';
  if (memNodes.length > 0) {
    const targets =
      i.numa === 'bind'
        ? [memNodes.filter((n) => n.hasCpus).sort((a, b) => b.memMiB - a.memMiB)[0] ?? memNodes[0]!]
        : memNodes;
    const share = Math.floor(hugepagesNeeded / targets.length);
    targets.forEach((n, k) => {
      const pages = share + (k < hugepagesNeeded % targets.length ? 1 : 0);
      const mib = hugetlb ? (pages * pageKiB) / 1024 : footprintMiB / targets.length;
      perNode.push({ node: n.id, hugepages: pages, mib: round1(mib), nodeMemMiB: n.memMiB, fits: mib <= n.memMiB });
    });
    numactl =
      i.numa === 'bind'
        ? `numactl --cpunodebind=${targets[0]!.id} --membind=${targets[0]!.id}`
        : memNodes.length > 1
          ? 'numactl --interleave=all'
          : '';
  }

  const commands: string[] = [];
  if (hugetlb) {
    const dir = `hugepages-${pageKiB}kB`;
    if (hvoCounts)
      commands.push('sysctl -w vm.hugetlb_optimize_vmemmap=1   # before reserving, so the pages are optimized');
    if (perNode.length > 1 || i.numa === 'bind') {
      for (const n of perNode)
        commands.push(`echo ${n.hugepages} > /sys/devices/system/node/node${n.node}/hugepages/${dir}/nr_hugepages`);
    } else commands.push(`echo ${hugepagesNeeded} > /sys/kernel/mm/hugepages/${dir}/nr_hugepages`);
    if (i.pageSize === '1G') {
      const perNodeBoot =
        perNode.length > 1 ? perNode.map((n) => `${n.node}:${n.hugepages}`).join(',') : String(hugepagesNeeded);
      commands.push(
        `# or at boot: hugepagesz=1G hugepages=${perNodeBoot}${hvoCounts ? ' hugetlb_free_vmemmap=on' : ''}`,
      );
    }
  }

  return {
    model: name,
    machine: i.machine.label,
    fits: marginMiB >= 0 && perNode.every((n) => n.fits) && !no1G,
    marginMiB,
    availableMiB: round1(i.machine.availableMiB),
    needMiB,
    footprintMiB,
    pageSizeKiB: pageKiB,
    backing: hugetlb ? 'hugetlb' : i.backing4k,
    hugepagesNeeded,
    hugepagesToAdd: Math.max(0, hugepagesNeeded - existing),
    vmemmap: { savedKiB, savedMiB: round1(savedKiB / 1024), perPageKiB },
    pageTablesKiB,
    pageTablesByPageSize: { '4K': pt(mappingFor('4K', i.backing4k)), '2M': pt('hugetlb-2m'), '1G': pt('hugetlb-1g') },
    tlbEntries: {
      '4K': tlbEntries(pinnedKiB, 4),
      '2M': tlbEntries(pinnedKiB, 2048),
      '1G': tlbEntries(pinnedKiB, 1048576),
    },
    breakdown,
    perNode,
    numactl,
    commands,
    notes,
  };
}

function variants(
  i: PlanInput,
  first: Omit<PlanResult, 'suggestions'>,
): { change: string; flags: string; input: PlanInput }[] {
  const out: { change: string; flags: string; input: PlanInput }[] = [];
  const spec = i.model.kind === 'spec' ? i.model.spec : null;
  if (spec) {
    // The largest context (halving) that fits, down to 2,048 tokens.
    for (let ctx = Math.floor(i.ctx / 2); ctx >= 2048; ctx = Math.floor(ctx / 2)) {
      const input = { ...i, ctx };
      if (core(input).fits || ctx / 2 < 2048) {
        out.push({ change: `a ${ctx}-token context`, flags: `--ctx ${ctx}`, input });
        break;
      }
    }
    for (const kv of ['q8_0', 'q4_0'] as const) {
      if (i.kvType !== kv && !(i.kvType === 'q4_0' && kv === 'q8_0')) {
        out.push({ change: `a ${kv} KV cache`, flags: `--kv-type ${kv}`, input: { ...i, kvType: kv } });
      }
    }
    if (spec.origin === 'catalog' && spec.quant) {
      const cur = findQuant(spec.quant);
      const smaller = QUANTS.filter((q) => cur && q.bitsPerWeight < cur.bitsPerWeight);
      const id = spec.name.slice(0, spec.name.lastIndexOf(' '));
      for (const q of smaller) {
        const modelId = spec.catalogId;
        const s = modelId ? catalogSpec(modelId, q.name) : null;
        if (!s || typeof s === 'string') break;
        const input: PlanInput = { ...i, model: { kind: 'spec', spec: s } };
        if (core(input).fits || q === smaller.at(-1)) {
          out.push({ change: `${id} at ${q.name}`, flags: `--quant ${q.name}`, input });
          break;
        }
      }
    }
  }
  const hvo = i.machine.hvoAvailable !== false;
  const withHvo = hvo ? ' with HVO' : '';
  const hvoFlag = hvo ? ' --hvo on' : '';
  if (i.pageSize !== '1G' && i.machine.supports1G !== false) {
    out.push({
      change: `1 GiB pages${withHvo}`,
      flags: `--page-size 1G${hvoFlag}`,
      input: { ...i, pageSize: '1G', hvo },
    });
  }
  if (i.pageSize !== '2M') {
    out.push({
      change: `2 MiB pages${withHvo}`,
      flags: `--page-size 2M${hvoFlag}`,
      input: { ...i, pageSize: '2M', hvo },
    });
  }
  if (i.numa === 'bind' && !first.perNode.every((n) => n.fits) && i.machine.nodes.length > 1) {
    out.push({
      change: 'interleave across NUMA nodes',
      flags: '--numa interleave',
      input: { ...i, numa: 'interleave' },
    });
  }
  return out;
}

export function plan(i: PlanInput): PlanResult {
  const first = core(i);
  const suggestions: Suggestion[] = first.fits
    ? []
    : variants(i, first).map((v) => {
        const r = core(v.input);
        return { change: v.change, flags: v.flags, fits: r.fits, marginMiB: r.marginMiB };
      });
  return { ...first, suggestions };
}
