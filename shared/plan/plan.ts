/**
 * The planner: will this model fit on this machine, with what backing, and what does it need? The verdict
 * is the conjunction of named constraints (total memory, each NUMA node, the page size, pools of another
 * size, the OS reserve, the runtime's backing), each comparing one need with one capacity in words; every
 * term of the need is listed with its source. Pure and synchronous.
 */
import { numberText } from '../number-text';
import { verdictLabel } from '../units';
import { QUANTS, findQuant } from './catalog';
import type { KvType } from './ggml-types';
import type { PlanMachine, PlanNode } from './machine';
import { catalogSpec, type ModelSpec } from './model';
import { pageTableKiB, tlbEntries } from './pagetables';
import {
  computeBufferBytes,
  kvCache,
  LLAMA_SERVER_CACHE_RAM_MIB,
  RUNTIME_INFO,
  VLLM_DEFAULT_NODE_SHARE,
  type LlamaBuild,
  type RuntimeId,
} from './runtimes';
import { hvoFreedPages } from './vmemmap';
import { bootParamsText, hugepagesCount, poolBootParams, type BootParam } from './boot-line';
import { controlName, type FrontEnd } from '../controls';
import { archPages, pageSizeLabel, type MapLevel } from '../kernel/pages';

export type PlanModel = { kind: 'spec'; spec: ModelSpec } | { kind: 'footprint'; mib: number };

export interface PlanInput {
  model: PlanModel;
  ctx: number;
  kvType: KvType;
  runtime: RuntimeId;
  /** Which llama.cpp generation's conventions (llama.cpp and Ollama). */
  build: LlamaBuild;
  /** llama-server's prompt cache in MiB; null for the runtime's default. */
  cacheRamMiB: number | null;
  /** vLLM CPU's KV cache space per rank in GiB; null for the default. */
  kvSpaceGiB: number | null;
  /** HugeTLB page size in KiB, or null for base pages (page cache or anonymous memory with THP). */
  hugePageKiB: number | null;
  /** For base pages: the runtime's default mmap of the file, or anonymous memory (--no-mmap, where THP applies). */
  backing4k: 'mmap' | 'anon';
  mlock: boolean;
  hvo: boolean;
  reserveMiB: number | null;
  numa: 'interleave' | 'bind';
  /** Place memory on slower-tier nodes (CXL) too. */
  slowTier: boolean;
  /** Release HugeTLB pools of other sizes and use their free pages. */
  releasePools: boolean;
  machine: PlanMachine;
  /** Who shows the plan's text, so it names the controls that front end has (default: the command line). */
  frontEnd?: FrontEnd;
}

export interface Term {
  label: string;
  mib: number;
  source: string;
}

export interface Constraint {
  id: string;
  ok: boolean;
  needMiB: number | null;
  haveMiB: number | null;
  message: string;
  /** What the capacity counts, where its figure alone would mislead ("while they are kept"). */
  haveNote?: string;
}

export interface Suggestion {
  change: string;
  flags: string;
  fits: boolean;
  marginMiB: number;
  /** The constraints that still fail with this change. */
  failing: string[];
}

export interface NodePlan {
  node: number;
  hugepages: number;
  /** nr_hugepages to write for this node (what it holds now plus what is added). */
  poolTarget: number;
  needMiB: number;
  haveMiB: number;
  nodeMemMiB: number;
  slow: boolean;
  fits: boolean;
}

export interface PlanResult {
  model: string;
  machine: PlanMachine;
  runtime: {
    id: RuntimeId;
    name: string;
    hugetlb: string | null;
    kvConvention: string | null;
    /** vLLM CPU's KV cache space per rank, GiB (null for other runtimes). */
    kvSpaceGiB: number | null;
  };
  /** The request's settings the setup and launch lines follow (ctx null for a footprint plan). */
  ctx: number | null;
  kvType: KvType;
  mlock: boolean;
  fits: boolean;
  constraints: Constraint[];
  marginMiB: number;
  availableMiB: number;
  needMiB: number;
  footprintMiB: number;
  pageSizeKiB: number;
  backing: 'mmap' | 'anon' | 'hugetlb';
  hugepagesNeeded: number;
  /** Pages to add to what the pools already hold free. */
  hugepagesToAdd: number;
  vmemmap: { savedKiB: number; savedMiB: number; perPageKiB: number; freedPagesPerHugePage: number; keptPages: number };
  pageTablesKiB: number;
  /** Page-table KiB with each page size the machine has (base pages under their own label). */
  pageTablesByPageSize: Record<string, number>;
  tlbEntries: Record<string, number>;
  breakdown: Term[];
  perNode: NodePlan[];
  numactl: string;
  /** The parameters that reserve the pool at boot, when it is reserved there ([] without HugeTLB pages). */
  bootParams: BootParam[];
  commands: string[];
  notes: string[];
  suggestions: Suggestion[];
}

const MIB = 1048576;
const round1 = (x: number): number => Math.round(x * 10) / 10;

/** What a breakdown's terms need together, savings taken off: the memory constraint's need. */
export const termsTotalMiB = (terms: readonly Term[]): number => round1(terms.reduce((s, t) => s + t.mib, 0));

export function defaultReserveMiB(totalMiB: number): number {
  return Math.round(Math.max(1024, Math.min(4096, totalMiB * 0.05)));
}

/** The page-table level that maps pages of this size on this machine (base pages: PTE). */
function leafLevel(m: PlanMachine, hugePageKiB: number | null): MapLevel {
  if (hugePageKiB === null) return 'pte';
  return (
    archPages(m.arch.value, m.basePageKiB.value).hugePages.find((k) => k.sizeKiB === hugePageKiB)?.level ??
    (hugePageKiB >= 1048576 ? 'pud' : 'pmd')
  );
}

interface Placement {
  node: PlanNode;
  /** Share of the pinned part (weights) and of the rest on this node, as fractions. */
  pinned: number;
  rest: number;
}

/** Where the runtime's memory goes: which nodes, and what share of each part. */
function placement(i: PlanInput, capacityOf: (n: PlanNode) => number): { targets: Placement[]; numactl: string } {
  const eligible = i.machine.nodes.filter((n) => n.memTotalMiB > 0 && (i.slowTier || !n.slow));
  const nodes = eligible.length > 0 ? eligible : i.machine.nodes.filter((n) => !n.slow).slice(0, 1);
  const withCpus = nodes.filter((n) => n.hasCpus);
  if (nodes.length <= 1 || i.numa === 'bind') {
    const best = [...(withCpus.length > 0 ? withCpus : nodes)].sort((a, b) => capacityOf(b) - capacityOf(a))[0]!;
    return {
      targets: [{ node: best, pinned: 1, rest: 1 }],
      numactl: i.machine.nodes.length > 1 ? `numactl --cpunodebind=${best.id} --membind=${best.id}` : '',
    };
  }
  if (i.runtime === 'ktransformers' && withCpus.length > 1) {
    // USE_NUMA=1 keeps one copy of the weights per node with CPUs.
    return {
      targets: withCpus.map((node) => ({ node, pinned: 1, rest: 1 / withCpus.length })),
      numactl: '',
    };
  }
  const share = 1 / nodes.length;
  const all = nodes.length === i.machine.nodes.filter((n) => n.memTotalMiB > 0).length;
  return {
    targets: nodes.map((node) => ({ node, pinned: share, rest: share })),
    numactl: `numactl --interleave=${all ? 'all' : nodes.map((n) => n.id).join(',')}`,
  };
}

/** The plan without suggestions (suggestions re-run this with one thing changed). */
function core(i: PlanInput): Omit<PlanResult, 'suggestions'> {
  const m = i.machine;
  const base = m.basePageKiB.value;
  const geometry = { basePageKiB: base, structPageBytes: m.structPageBytes.value };
  const pageKiB = i.hugePageKiB ?? base;
  const hugetlb = i.hugePageKiB !== null;
  const runtime = RUNTIME_INFO[i.runtime];
  const breakdown: Term[] = [];
  const notes: string[] = [];
  let pinnedKiB: number; // the part the backing applies to (weights, or the whole given footprint)
  let restKiB = 0; // anonymous memory beside it: KV cache, compute buffers, runtime
  let name: string;
  let kvConvention: string | null = null;
  let kvSpaceGiB: number | null = null;

  if (i.model.kind === 'footprint') {
    name = `footprint ${i.model.mib} MiB`;
    pinnedKiB = i.model.mib * 1024;
    breakdown.push({
      label: 'Runtime footprint (given)',
      mib: i.model.mib,
      source: controlName('footprint', i.frontEnd ?? 'cli'),
    });
  } else {
    const s = i.model.spec;
    name = s.name;
    pinnedKiB = s.weightsBytes / 1024;
    breakdown.push({ label: 'Model weights', mib: round1(s.weightsBytes / MIB), source: s.weightsSource });
    const ranks = i.runtime === 'vllm-cpu' ? Math.max(1, placement(i, (n) => n.availableMiB).targets.length) : 1;
    if (i.runtime === 'ktransformers') {
      kvConvention = 'KTransformers keeps attention and its KV cache on the GPU: none in host memory';
    } else if (i.runtime === 'vllm-cpu') {
      const memNodes = m.nodes.filter((n) => n.memTotalMiB > 0).length || 1;
      const gib = i.kvSpaceGiB ?? round1((VLLM_DEFAULT_NODE_SHARE * m.totalMiB.value) / memNodes / 1024);
      kvSpaceGiB = gib;
      kvConvention = `vLLM CPU: VLLM_CPU_KVCACHE_SPACE=${gib} GiB per rank, whatever the context${
        i.kvSpaceGiB === null ? " (unset: half of a NUMA node's memory)" : ''
      }`;
      restKiB += gib * ranks * 1048576;
      breakdown.push({
        label: `KV cache space (${ranks} rank${ranks > 1 ? 's' : ''})`,
        mib: gib * ranks * 1024,
        source: `VLLM_CPU_KVCACHE_SPACE=${gib} GiB × ${ranks}${i.kvSpaceGiB === null ? ' (unset: half a node)' : ''}`,
      });
    } else {
      const kv = kvCache(s, i.ctx, i.kvType, i.runtime, i.build);
      kvConvention = kv.convention;
      restKiB += kv.bytes / 1024;
      breakdown.push({ label: `KV cache (${i.kvType}, ${i.ctx} tokens)`, mib: round1(kv.bytes / MIB), source: kv.how });
    }
    const compute = computeBufferBytes(s);
    restKiB += (compute + 256 * MIB) / 1024;
    breakdown.push({
      label: 'Compute buffers',
      mib: round1(compute / MIB),
      source: 'estimate: one micro-batch of 512 (logits and activations)',
    });
    breakdown.push({ label: 'Runtime overhead', mib: 256, source: 'process, libraries, tokenizer (a stated default)' });
    if (i.runtime === 'llama.cpp') {
      const cache = i.cacheRamMiB ?? LLAMA_SERVER_CACHE_RAM_MIB;
      if (cache > 0) {
        restKiB += cache * 1024;
        breakdown.push({
          label: 'Prompt cache (llama-server)',
          mib: cache,
          source: `--cache-ram ${cache} MiB, filled as prompts are cached${i.cacheRamMiB === null ? ` (the default${(i.frontEnd ?? 'cli') === 'cli' ? '; --cache-ram-mib 0 for llama-cli' : ''})` : ''}`,
        });
      }
    }
    if (i.ctx > s.contextMax) notes.push(`${i.ctx} tokens is more than the model's trained context (${s.contextMax}).`);
  }

  // What memory each node can give a pool of this size: free memory plus free pages already pooled there.
  const poolOf = (n: PlanNode, size: number) => n.pools.find((p) => p.pageSizeKiB === size);
  const otherFreeMiB = (n: PlanNode): number =>
    n.pools.filter((p) => p.pageSizeKiB !== pageKiB).reduce((s, p) => s + (p.free * p.pageSizeKiB) / 1024, 0);
  const sameFreePages = (n: PlanNode): number => (hugetlb ? (poolOf(n, pageKiB)?.free ?? 0) : 0);
  const capacityOf = (n: PlanNode, release = i.releasePools): number =>
    n.availableMiB + (sameFreePages(n) * pageKiB) / 1024 + (release ? otherFreeMiB(n) : 0);

  const { targets, numactl } = placement(i, (n) => capacityOf(n));
  const copies = targets.reduce((s, t) => s + t.pinned, 0); // >1 only when weights are replicated per node
  const hugepagesNeeded = hugetlb ? Math.ceil((pinnedKiB * copies) / pageKiB) : 0;
  const leaf = leafLevel(m, i.hugePageKiB);
  const ptLeaf = hugetlb ? leaf : 'pte'; // base pages and anonymous THP alike cost PTE tables
  const hvoCredited = hugetlb && i.hvo && m.hvo.available.value === true;
  const freedPages = hvoCredited ? hvoFreedPages(pageKiB, m.hvo.keptPages, geometry) : 0;
  const perPageKiB = freedPages * base;

  // Pages per node: the pinned part split as the placement says, every page counted once.
  const pagesPer: number[] = [];
  if (hugetlb) {
    const shares = targets.map((t) => (pinnedKiB * t.pinned) / pageKiB);
    let left = hugepagesNeeded;
    shares.forEach((x, k) => {
      const p = k === shares.length - 1 ? left : Math.min(left, Math.ceil(x));
      pagesPer.push(p);
      left -= p;
    });
  }
  const perNode: NodePlan[] = targets.map((t, k) => {
    const n = t.node;
    const pages = pagesPer[k] ?? 0;
    const pinnedHere = hugetlb ? pages * pageKiB : pinnedKiB * t.pinned;
    const restHere = restKiB * t.rest;
    const added = Math.max(0, pages - sameFreePages(n));
    const ptKiB = pageTableKiB(pinnedHere, ptLeaf, base) + (restHere > 0 ? pageTableKiB(restHere, 'pte', base) : 0);
    const needMiB = (pinnedHere + restHere + ptKiB - added * perPageKiB) / 1024;
    const haveMiB = capacityOf(n);
    const held = poolOf(n, pageKiB)?.total ?? 0;
    return {
      node: n.id,
      hugepages: pages,
      poolTarget: held + added,
      needMiB: round1(needMiB),
      haveMiB: round1(haveMiB),
      nodeMemMiB: round1(n.memTotalMiB),
      slow: n.slow,
      // Judged on the figures shown (to 0.1 MiB): a page table of a few bytes must not fail "1024 of 1024".
      fits: round1(needMiB) <= round1(haveMiB),
    };
  });
  const hugepagesToAdd = perNode.reduce(
    (s, n) => s + Math.max(0, n.poolTarget - (poolOf(nodeById(m, n.node), pageKiB)?.total ?? 0)),
    0,
  );

  if (hugetlb && hugepagesNeeded * pageKiB > pinnedKiB * copies) {
    breakdown.push({
      label: 'Pool rounding',
      mib: round1((hugepagesNeeded * pageKiB - pinnedKiB * copies) / 1024),
      source: `${numberText(hugepagesNeeded)} pages of ${pageSizeLabel(pageKiB)} hold the weights`,
    });
  }
  if (copies > 1) {
    breakdown.push({
      label: `Weight copies (${copies - 1} more)`,
      mib: round1((pinnedKiB * (copies - 1)) / 1024),
      source: 'KTransformers USE_NUMA=1 keeps one copy of the weights per NUMA node',
    });
  }
  const pt = (lv: MapLevel): number =>
    pageTableKiB(pinnedKiB * copies, lv, base) + (restKiB > 0 ? pageTableKiB(restKiB, 'pte', base) : 0);
  const pageTablesKiB = pt(ptLeaf);
  breakdown.push({
    label: 'Page tables',
    mib: round1(pageTablesKiB / 1024),
    source:
      ptLeaf === 'pud'
        ? `PUD tables only for the ${pageSizeLabel(pageKiB)} pages, plus base-page tables for the rest`
        : ptLeaf === 'pmd'
          ? `one ${base} KiB PMD table per ${pageSizeLabel(base * (base * 128) * (base * 128))} of ${pageSizeLabel(pageKiB)} pages, plus base-page tables for the rest`
          : i.backing4k === 'anon' && !hugetlb
            ? 'anonymous THP still deposits a PTE table per huge page: as much as base pages'
            : `a ${base} KiB PTE table per ${pageSizeLabel(base * base * 128)} mapped`,
  });
  const savedKiB = perPageKiB * hugepagesToAdd;
  if (savedKiB > 0) {
    breakdown.push({
      label: 'HVO gives back',
      mib: -round1(savedKiB / 1024),
      source: `${perPageKiB} KiB of struct page per new ${pageSizeLabel(pageKiB)} page (${freedPages} of ${freedPages + m.hvo.keptPages} vmemmap pages) × ${numberText(hugepagesToAdd)}`,
    });
  }

  const totalNeedMiB = termsTotalMiB(breakdown);
  const haveMiB = round1(targetsCapacity(m, i, capacityOf));
  const reserveMiB = i.reserveMiB ?? defaultReserveMiB(m.totalMiB.value);
  // The headroom is the tightest memory constraint: the total less the reserve, or a node the plan uses.
  const nodeSlack = i.machine.nodes.length > 1 ? perNode.map((n) => n.haveMiB - n.needMiB) : [];
  const marginMiB = round1(Math.min(haveMiB - totalNeedMiB - reserveMiB, ...nodeSlack));
  const footprintMiB = round1((pinnedKiB + restKiB) / 1024);

  // The constraints; the verdict is their conjunction.
  const constraints: Constraint[] = [];
  const sizes = m.hugePageSizesKiB.value;
  if (hugetlb) {
    const ok = sizes.includes(pageKiB);
    constraints.push({
      id: 'page-size',
      ok,
      needMiB: null,
      haveMiB: null,
      message: ok
        ? `${pageSizeLabel(pageKiB)} pages: this machine has them (${m.hugePageSizesKiB.from})`
        : `${pageSizeLabel(pageKiB)} pages: this machine offers ${sizes.map(pageSizeLabel).join(', ') || 'no huge pages'} (${m.hugePageSizesKiB.from})`,
    });
    constraints.push({
      id: 'runtime',
      ok: runtime.hugetlb !== null || i.model.kind === 'footprint',
      needMiB: null,
      haveMiB: null,
      message:
        runtime.hugetlb !== null
          ? `${runtime.name} maps its weights from the pool (see below for how)`
          : i.model.kind === 'footprint'
            ? 'a footprint plan assumes the runtime maps its memory from the pool (hugetlbfs or MAP_HUGETLB)'
            : `${runtime.name} has no HugeTLB path: its weights never go in a pool (use base pages, or ik_llama.cpp -thp)`,
    });
  }
  const otherPools = m.nodes.reduce((s, n) => s + otherFreeMiB(n), 0);
  const totalOk = totalNeedMiB <= haveMiB;
  constraints.push({
    id: 'total',
    ok: totalOk,
    needMiB: totalNeedMiB,
    haveMiB,
    message: `memory: ${verdictLabel(totalNeedMiB * 1024)} needed, ${verdictLabel(haveMiB * 1024)} available${
      targets.some((t) => t.node.slow) ? ' (slow tier included)' : ''
    }${
      !i.slowTier && m.nodes.some((n) => n.slow)
        ? `; ${verdictLabel(m.nodes.filter((n) => n.slow).reduce((s, n) => s + n.availableMiB, 0) * 1024)} on slower-tier nodes not used`
        : ''
    }`,
  });
  const leftMiB = round1(haveMiB - totalNeedMiB);
  constraints.push({
    id: 'reserve',
    ok: leftMiB >= reserveMiB,
    needMiB: reserveMiB,
    haveMiB: leftMiB,
    message: `OS reserve: ${verdictLabel(reserveMiB * 1024)} must stay free (${i.reserveMiB === null ? 'default: 5% of RAM, 1 to 4 GiB' : (i.frontEnd ?? 'cli') === 'cli' ? '--reserve-mib' : 'as asked'}); ${leftMiB >= 0 ? `${verdictLabel(leftMiB * 1024)} would stay free` : 'nothing would stay free'}`,
  });
  if (!i.releasePools && otherPools > 0) {
    const withRelease = round1(targetsCapacity(m, i, (n) => capacityOf(n, true)));
    const shortBy = Math.max(0, totalNeedMiB + reserveMiB - haveMiB);
    const fromPools = round1(Math.min(shortBy, withRelease - haveMiB));
    constraints.push({
      id: 'other-pools',
      ok: fromPools <= 0,
      needMiB: fromPools,
      haveMiB: 0,
      haveNote: 'none of it is usable while those pools are kept',
      message:
        fromPools <= 0
          ? `pools of other sizes (${verdictLabel(otherPools * 1024)} free) are kept and not needed`
          : `${verdictLabel(fromPools * 1024)} of what is needed sits free in pools of other sizes (${poolList(m, pageKiB)}): release them (${controlName('releasePools', i.frontEnd ?? 'cli')})`,
    });
  }
  if (
    i.machine.nodes.length > 1 &&
    !(perNode.length === 1 && targets[0]!.node.id === m.nodes[0]!.id && m.nodes.length === 1)
  ) {
    for (const n of perNode) {
      constraints.push({
        id: `node${n.node}`,
        ok: n.fits,
        needMiB: n.needMiB,
        haveMiB: n.haveMiB,
        message: `node ${n.node}${n.slow ? ' (slow tier)' : ''}: ${verdictLabel(n.needMiB * 1024)} needed${
          hugetlb ? ` (${numberText(n.hugepages)} × ${pageSizeLabel(pageKiB)} pages and its share of the rest)` : ''
        }, ${verdictLabel(n.haveMiB * 1024)} it can give`,
      });
    }
  }
  const fits = constraints.every((c) => c.ok);

  if (hugetlb && i.hvo && m.hvo.available.value !== true) {
    notes.push(
      m.hvo.available.value === false
        ? `HVO is not available on this kernel or architecture (${m.hvo.available.from}): nothing is counted for it.`
        : 'Whether this kernel has HVO is unknown: nothing is counted for it.',
    );
  }
  if (hugetlb && runtime.defaultSizeOnly && m.defaultHugePageKiB.value !== pageKiB) {
    notes.push(
      `${runtime.name} takes pages of the default huge page size, ${m.defaultHugePageKiB.value === null ? 'unknown here' : pageSizeLabel(m.defaultHugePageKiB.value)}: boot with default_hugepagesz=${pageSizeLabel(pageKiB)}.`,
    );
  }
  if (!hugetlb && i.backing4k === 'mmap' && !i.mlock) {
    notes.push(
      'With mmap the weights live in the page cache: under memory pressure the kernel drops them and rereads the file (slow, not a crash).',
    );
  }
  if (!hugetlb && i.backing4k === 'anon' && m.thpEnabled.value === 'never') {
    notes.push('THP is off (never): anonymous weights get base pages only.');
  }
  if (hugetlb && pageKiB >= 1048576)
    notes.push(
      `${pageSizeLabel(pageKiB)} pages are reliably had only at boot: hugepagesz=${pageSizeLabel(pageKiB)} hugepages=N (or hugetlb_cma=).`,
    );
  const slowUsed = perNode.filter((n) => n.slow);
  if (slowUsed.length > 0) {
    notes.push(
      `${slowUsed.map((n) => `${verdictLabel(n.needMiB * 1024)} on node ${n.node}`).join(', ')} sits in slower-tier memory (CXL or CPU-less): every token reads the weights, so generation slows toward that memory's bandwidth and latency.`,
    );
  }

  const bootParams = hugetlb
    ? poolBootParams({
        pageKiB,
        counts: hugepagesCount(
          perNode.map((n) => ({ node: n.node, pages: n.poolTarget })),
          m.nodes.length,
        ),
        makeDefault: runtime.defaultSizeOnly && m.defaultHugePageKiB.value !== pageKiB,
        hvo: hvoCredited,
      })
    : [];
  const commands = setupCommands(i, perNode, pageKiB, hvoCredited, bootParams);
  const results: Record<string, number> = {};
  const tlb: Record<string, number> = {};
  const labelBase = pageSizeLabel(base);
  results[labelBase] = pt('pte');
  tlb[labelBase] = tlbEntries(pinnedKiB, base);
  for (const size of sizes) {
    results[pageSizeLabel(size)] = pt(leafLevel(m, size));
    tlb[pageSizeLabel(size)] = tlbEntries(pinnedKiB, size);
  }

  return {
    model: name,
    machine: m,
    runtime: { id: runtime.id, name: runtime.name, hugetlb: runtime.hugetlb, kvConvention, kvSpaceGiB },
    ctx: i.model.kind === 'spec' ? i.ctx : null,
    kvType: i.kvType,
    mlock: i.mlock,
    fits,
    constraints,
    marginMiB,
    availableMiB: haveMiB,
    needMiB: round1(totalNeedMiB + reserveMiB),
    footprintMiB,
    pageSizeKiB: pageKiB,
    backing: hugetlb ? 'hugetlb' : i.backing4k,
    hugepagesNeeded,
    hugepagesToAdd,
    vmemmap: {
      savedKiB,
      savedMiB: round1(savedKiB / 1024),
      perPageKiB,
      freedPagesPerHugePage: freedPages,
      keptPages: m.hvo.keptPages,
    },
    pageTablesKiB,
    pageTablesByPageSize: results,
    tlbEntries: tlb,
    breakdown,
    perNode,
    numactl,
    bootParams,
    commands,
    notes,
  };
}

function nodeById(m: PlanMachine, id: number): PlanNode {
  return m.nodes.find((n) => n.id === id)!;
}

/** What the nodes the plan may use can give together. */
function targetsCapacity(m: PlanMachine, i: PlanInput, capacityOf: (n: PlanNode) => number): number {
  return m.nodes.filter((n) => n.memTotalMiB > 0 && (i.slowTier || !n.slow)).reduce((s, n) => s + capacityOf(n), 0);
}

function poolList(m: PlanMachine, except: number): string {
  const by = new Map<number, { total: number; free: number }>();
  for (const n of m.nodes)
    for (const p of n.pools)
      if (p.pageSizeKiB !== except && p.total > 0) {
        const x = by.get(p.pageSizeKiB) ?? { total: 0, free: 0 };
        by.set(p.pageSizeKiB, { total: x.total + p.total, free: x.free + p.free });
      }
  return [...by]
    .map(([size, x]) => `${pageSizeLabel(size)} × ${numberText(x.total)}, ${numberText(x.free)} free`)
    .join('; ');
}

/** The commands that set the plan up, as root, in order; what needs a reboot is said so. */
function setupCommands(
  i: PlanInput,
  perNode: NodePlan[],
  pageKiB: number,
  hvoCredited: boolean,
  bootParams: readonly BootParam[],
): string[] {
  const m = i.machine;
  const commands: string[] = [];
  if (i.hugePageKiB === null) return commands;
  const dir = (size: number): string => `hugepages-${size}kB`;
  const multi = m.nodes.length > 1;
  if (hvoCredited && !m.hvo.enabled) {
    commands.push(
      m.hvo.switch === 'sysctl'
        ? 'sysctl -w vm.hugetlb_optimize_vmemmap=1   # before reserving, so the new pages are optimized'
        : '# HVO: this kernel has no sysctl for it (before 5.19): boot with hugetlb_free_vmemmap=on',
    );
  }
  const others = new Set(
    m.nodes.flatMap((n) => n.pools.filter((p) => p.pageSizeKiB !== pageKiB && p.total > 0)).map((p) => p.pageSizeKiB),
  );
  for (const size of others) {
    const pages = m.nodes.reduce((s, n) => s + (n.pools.find((p) => p.pageSizeKiB === size)?.total ?? 0), 0);
    commands.push(
      i.releasePools
        ? `echo 0 > /sys/kernel/mm/hugepages/${dir(size)}/nr_hugepages   # release the ${pageSizeLabel(size)} pool (${numberText(pages)} pages; pages in use stay until freed)`
        : `# keeps the ${pageSizeLabel(size)} pool (${numberText(pages)} pages): this plan does not use it (${controlName('releasePools', i.frontEnd ?? 'cli')} frees it)`,
    );
  }
  if (multi) {
    for (const n of perNode)
      commands.push(
        `echo ${n.poolTarget} > /sys/devices/system/node/node${n.node}/hugepages/${dir(pageKiB)}/nr_hugepages`,
      );
  } else {
    commands.push(`echo ${perNode[0]?.poolTarget ?? 0} > /sys/kernel/mm/hugepages/${dir(pageKiB)}/nr_hugepages`);
  }
  commands.push(`grep -H . /sys/kernel/mm/hugepages/${dir(pageKiB)}/nr_hugepages   # check what the kernel gave`);
  const runtime = RUNTIME_INFO[i.runtime];
  const bootDefault = bootParams.some((p) => p.key === 'default_hugepagesz');
  if (pageKiB >= 1048576 || bootDefault || (hvoCredited && m.hvo.switch === 'boot')) {
    const line = bootParamsText(bootParams);
    commands.push(
      bootDefault
        ? `# needed, then reboot (${runtime.name} takes the default size): on the boot line: ${line}`
        : `# ${pageKiB >= 1048576 ? 'or, reliably, ' : 'or '}on the boot line: ${line}`,
    );
  }
  return commands;
}

function variants(
  i: PlanInput,
  first: Omit<PlanResult, 'suggestions'>,
): { change: string; flags: string; input: PlanInput }[] {
  const out: { change: string; flags: string; input: PlanInput }[] = [];
  const failing = new Set(first.constraints.filter((c) => !c.ok).map((c) => c.id));
  const spec = i.model.kind === 'spec' ? i.model.spec : null;
  const m = i.machine;
  if (failing.has('runtime')) {
    out.push({
      change: 'ik_llama.cpp with -thp',
      flags: '--runtime ik_llama.cpp',
      input: { ...i, runtime: 'ik_llama.cpp' },
    });
  }
  if (failing.has('other-pools'))
    out.push({
      change: 'release the pools of other sizes',
      flags: '--release-pools',
      input: { ...i, releasePools: true },
    });
  if (!i.slowTier && m.nodes.some((n) => n.slow))
    out.push({
      change: 'spread over the slower memory tier too',
      flags: '--slow-tier --numa interleave',
      input: { ...i, slowTier: true, numa: 'interleave' },
    });
  if (spec && i.runtime !== 'vllm-cpu' && i.runtime !== 'ktransformers') {
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
  }
  if (spec?.origin === 'catalog' && spec.quant && spec.catalogId) {
    const cur = findQuant(spec.quant);
    const smaller = QUANTS.filter((q) => cur && q.bitsPerWeight < cur.bitsPerWeight);
    const id = spec.name.slice(0, spec.name.lastIndexOf(' '));
    for (const q of smaller) {
      const s = catalogSpec(spec.catalogId, q.name);
      if (typeof s === 'string') break;
      const input: PlanInput = { ...i, model: { kind: 'spec', spec: s } };
      if (core(input).fits || q === smaller.at(-1)) {
        out.push({ change: `${id} at ${q.name}`, flags: `--quant ${q.name}`, input });
        break;
      }
    }
  }
  const hvo = m.hvo.available.value === true;
  const huge = RUNTIME_INFO[i.runtime].hugetlb !== null || i.model.kind === 'footprint';
  if (huge) {
    for (const size of m.hugePageSizesKiB.value) {
      if (size === i.hugePageKiB || size < 2048) continue;
      const input: PlanInput = { ...i, hugePageKiB: size, hvo };
      // Pools of the other sizes stand in the way of the new size: release them too when that is what fits.
      const blocked = core(input).constraints.some((c) => c.id === 'other-pools' && !c.ok);
      const release = blocked && !i.releasePools;
      out.push({
        change: `${pageSizeLabel(size)} pages${hvo ? ' with HVO' : ''}${release ? ', other pools released' : ''}`,
        flags: `--page-size ${pageSizeLabel(size)}${hvo ? ' --hvo on' : ''}${release ? ' --release-pools' : ''}`,
        input: release ? { ...input, releasePools: true } : input,
      });
    }
  }
  const fastNodes = m.nodes.filter((n) => n.memTotalMiB > 0 && (i.slowTier || !n.slow)).length;
  if (i.numa === 'bind' && fastNodes > 1 && [...failing].some((f) => f.startsWith('node'))) {
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
        return {
          change: v.change,
          flags: v.flags,
          fits: r.fits,
          marginMiB: r.marginMiB,
          failing: r.constraints.filter((c) => !c.ok).map((c) => c.id),
        };
      });
  return { ...first, suggestions };
}
