/**
 * The advisor's rules: the machine (a report) and, optionally, a plan for a model go in; recommendations come
 * out, each with its reason, the evidence it rests on, the exact changes, whether it needs a reboot, its risk
 * and a reference. The changes are then merged into one ordered list: a parameter the boot line already has is
 * not proposed again, two rules never write one file twice, and HVO is switched on before any pool is grown.
 */
import type { Report } from '../host/report';
import { HUGETLB_DIR, NODE_DIR, PATHS, THP_DIR } from '../host/paths';
import { freeBlocksOf } from '../host/parse/buddyinfo';
import { pageSizeLabel } from '../kernel/pages';
import type { PlanResult } from '../plan/plan';
import type { BootChange, Change, Recommendation, WriteChange } from './changes';
import { DOC, type Evidence } from './findings';
import { countLabel, proseMiB } from '../units';
import { bootParamsText, hugepagesCount } from '../plan/boot-line';
import { shWord } from '../shell';
import { controlName, type FrontEnd } from '../controls';

export interface RecommendOptions {
  /** The user that runs the model server (for a memlock limit), when known. */
  user?: string | undefined;
  /** The systemd unit of the model server, when it runs as one. */
  unit?: string | undefined;
  /** The model file, for launch lines. */
  modelPath?: string | undefined;
  /** Who shows the advice, so it names the controls that front end has (default: the command line). */
  frontEnd?: FrontEnd | undefined;
}

export interface Advice {
  recommendations: Recommendation[];
  /** Every change of every recommendation, merged and ordered: what apply and the artifacts use. */
  changes: Change[];
  /** What the merge did: parameters already set, writes another rule made already. */
  merged: string[];
}

const poolDir = (kib: number): string => `hugepages-${kib}kB`;

/** The value a /proc or /sys file held, as the report read it (null when unknown). */
function write(path: string, value: string, before: string | number | boolean | null | undefined): WriteChange {
  return { kind: 'write', path, value, before: before === null || before === undefined ? null : String(before) };
}

function poolOf(r: Report | null, kib: number) {
  return r?.hugetlb.pools.find((p) => p.pageSizeKiB === kib) ?? null;
}

/** HVO on before the pool is reserved: only pages allocated while it is on are optimized. */
function hvoRule(r: Report | null, p: PlanResult | null): Recommendation | null {
  const m = p?.machine;
  if (r?.hvo.enabled === true || (m?.hvo.enabled ?? false)) return null;
  const available = m ? m.hvo.available.value === true : r?.hvo.compiled === true && r.hvo.archSupported !== false;
  if (!available) return null;
  const livePools = r?.hugetlb.pools.filter((x) => (x.total ?? 0) > 0) ?? [];
  const planned = p?.backing === 'hugetlb' && p.vmemmap.savedKiB > 0;
  if (!planned && livePools.length === 0) return null;
  const sysctl = r ? r.hvo.sysctl !== null : m?.hvo.switch === 'sysctl';
  const evidence: Evidence[] = r
    ? [
        sysctl
          ? { path: PATHS.hvoSysctl, value: String(r.hvo.sysctl) }
          : { path: PATHS.cmdline, value: `hugetlb_free_vmemmap=${r.hvo.bootParam ?? '(not set)'}` },
      ]
    : [];
  const saving = planned
    ? `${proseMiB(p.vmemmap.savedMiB)} for the ${p.hugepagesToAdd} new ${pageSizeLabel(p.pageSizeKiB)} pages this plan reserves (${p.vmemmap.freedPagesPerHugePage} of every ${p.vmemmap.freedPagesPerHugePage + p.vmemmap.keptPages} vmemmap pages)`
    : `the struct page memory of the pools reserved from now on (${livePools.map((x) => `${pageSizeLabel(x.pageSizeKiB)} × ${x.total}`).join(', ')} are already reserved: release and reserve them again to optimize them)`;
  return {
    id: 'hvo-on',
    severity: planned ? 'important' : 'suggested',
    title: 'Turn HVO on before reserving huge pages',
    reason: `HugeTLB Vmemmap Optimization gives back ${saving}. It only optimizes pages allocated while it is on.`,
    evidence,
    changes: sysctl
      ? [write(PATHS.hvoSysctl, '1', r?.hvo.sysctl)]
      : [{ kind: 'boot', set: [{ key: 'hugetlb_free_vmemmap', value: 'on' }], remove: [] }],
    needsReboot: !sysctl,
    risk: 'Growing and shrinking a pool becomes about twice as slow, and shrinking can fail under memory pressure (the struct pages must be allocated again).',
    reference: `${DOC.vmemmap}; sysctl from 5.19 (78f39084b41d), boot switch hugetlb_free_vmemmap= before`,
  };
}

/** The pool the plan needs, per node, and the boot line for gigantic or default-size pages. */
function poolRules(r: Report | null, p: PlanResult): Recommendation[] {
  if (p.backing !== 'hugetlb') return [];
  const out: Recommendation[] = [];
  const size = p.pageSizeKiB;
  const label = pageSizeLabel(size);
  const pool = poolOf(r, size);
  const multi = p.machine.nodes.length > 1;
  const gigantic = size >= 1048576;
  const total = p.perNode.reduce((s, n) => s + n.poolTarget, 0);
  const evidence: Evidence[] = !r
    ? []
    : [
        { path: `${HUGETLB_DIR}/${poolDir(size)}/nr_hugepages`, value: String(pool?.total ?? 'absent') },
        ...p.perNode.map((n) => ({
          path: `${NODE_DIR}/node${n.node}/hugepages/${poolDir(size)}/nr_hugepages`,
          value: String(pool?.nodes.find((x) => x.node === n.node)?.total ?? 'absent'),
        })),
      ];
  const writes: WriteChange[] = multi
    ? p.perNode.map((n) =>
        write(
          `${NODE_DIR}/node${n.node}/hugepages/${poolDir(size)}/nr_hugepages`,
          String(n.poolTarget),
          pool?.nodes.find((x) => x.node === n.node)?.total,
        ),
      )
    : [write(`${HUGETLB_DIR}/${poolDir(size)}/nr_hugepages`, String(total), pool?.total)];
  const perNodeText = multi
    ? ` (${p.perNode.map((n) => `node ${n.node}: ${n.poolTarget}, of which ${n.hugepages} for the model; it can give ${proseMiB(n.haveMiB)}`).join('; ')})`
    : '';
  const boot: BootChange = { kind: 'boot', set: [...p.bootParams], remove: [] };
  // Already reserved at boot when the boot line's hugepages= for this size reads as the plan's own.
  const countText = p.bootParams.find((x) => x.key === 'hugepages')?.value;
  const atBoot = (r?.kernel.boot?.hugepages ?? []).some(
    (x) =>
      x.pageSizeKiB === size &&
      (x.perNode
        ? hugepagesCount(
            Object.entries(x.perNode).map(([node, pages]) => ({ node: Number(node), pages })),
            p.machine.nodes.length,
          )
        : String(x.count)) === countText,
  );
  const defaultNeeded = boot.set.some((x) => x.key === 'default_hugepagesz');
  // A pool already reserved at boot still needs what the boot line lacks of the rest (the default size, HVO).
  const cmdline = r?.kernel.cmdline ?? null;
  const missing = p.bootParams.filter(
    (x) => x.key !== 'hugepagesz' && x.key !== 'hugepages' && !hasParam(cmdline, x.key, x.value),
  );
  out.push({
    id: gigantic ? 'pool-at-boot' : 'pool',
    severity: gigantic && atBoot && missing.length === 0 ? 'info' : 'important',
    title:
      gigantic && atBoot
        ? `The ${total} × ${label} pool is already reserved at boot${missing.length > 0 ? `; add ${bootParamsText(missing)}` : ''}`
        : `Reserve ${total} × ${label} huge pages${gigantic ? ' at boot' : ''}`,
    reason:
      `${p.model} with ${p.runtime.name} needs ${p.hugepagesNeeded} pages of ${label}${perNodeText}. ` +
      (gigantic
        ? 'Gigantic pages need physically contiguous 1 GiB ranges, which a running machine rarely has: reserve them on the boot line (or set aside hugetlb_cma= to allocate at runtime).'
        : 'A runtime reservation takes what contiguous free memory allows: the setup reads the pool back and says how many pages it got.'),
    evidence,
    changes: gigantic ? (atBoot ? (missing.length > 0 ? [{ ...boot, set: missing }] : []) : [boot]) : writes,
    needsReboot: gigantic && (!atBoot || missing.length > 0),
    risk: gigantic
      ? 'A boot-time pool larger than the memory leaves the kernel unable to boot: at the boot menu, edit the command line once and delete hugepages= to recover.'
      : 'Pool pages are taken from general memory until released (echo 0 to the same file).',
    reference: DOC.hugetlbpage,
  });
  if (!gigantic && defaultNeeded) {
    out.push({
      id: 'default-huge-page-size',
      severity: 'important',
      title: `Make ${label} the default huge page size`,
      reason: `${p.runtime.name} -thp maps its weights with MAP_HUGETLB at the default huge page size, ${p.machine.defaultHugePageKiB.value === null ? 'unknown here' : pageSizeLabel(p.machine.defaultHugePageKiB.value)}; a pool of another size goes unused and it falls back to a file mapping.`,
      evidence: r ? [{ path: PATHS.meminfo, value: `Hugepagesize: ${r.hugetlb.defaultPageSizeKiB ?? '?'} kB` }] : [],
      changes: [{ kind: 'boot', set: [{ key: 'default_hugepagesz', value: label }], remove: [] }],
      needsReboot: true,
      risk: 'Changes which pool HugePages_* in /proc/meminfo and plain hugetlbfs mounts use.',
      reference: 'ik_llama.cpp src/llama-mmap.cpp: get_default_huge_page_size()',
    });
  }
  return out;
}

/** Will a runtime reservation get what it asks for? Free blocks of the page size per node, and compaction. */
function readinessRule(r: Report, p: PlanResult): Recommendation | null {
  if (p.backing !== 'hugetlb' || p.pageSizeKiB >= 1048576 || !r.memory.buddy) return null;
  const buddy = r.memory.buddy;
  const pool = poolOf(r, p.pageSizeKiB);
  const short = p.perNode
    .map((n) => {
      const held =
        pool?.nodes.find((x) => x.node === n.node)?.total ?? (p.perNode.length === 1 ? (pool?.total ?? 0) : 0);
      const toAdd = Math.max(0, n.poolTarget - held);
      const free = freeBlocksOf(
        buddy.filter((z) => z.node === n.node || p.perNode.length === 1),
        p.pageSizeKiB,
      );
      return { node: n.node, toAdd, free };
    })
    .filter((x) => x.toAdd > x.free);
  if (short.length === 0) return null;
  const vm = r.memory.vmstat ?? {};
  const stall = vm['compact_stall'] ?? 0;
  const fail = vm['compact_fail'] ?? 0;
  const failRate = stall > 0 ? fail / stall : null;
  return {
    id: 'reservation-readiness',
    severity: 'important',
    title: 'A runtime reservation will likely fall short',
    reason:
      `${short.map((s) => `Node ${s.node} has ${s.free} free ${pageSizeLabel(p.pageSizeKiB)} blocks; the pool needs ${s.toAdd} more`).join('. ')}. ` +
      (failRate !== null && stall >= 100 && failRate >= 0.2
        ? `${Math.round(failRate * 100)}% of ${stall} compactions since boot failed. `
        : '') +
      'Compact memory first (and drop clean caches if you can), reserve per node, read the pool back, and if it is still short reserve at boot.',
    evidence: [
      { path: PATHS.buddyinfo, value: short.map((s) => `node ${s.node}: ${s.free} blocks`).join(', ') },
      { path: PATHS.vmstat, value: `compact_stall ${stall}, compact_fail ${fail}` },
    ],
    // The boot-time reservation is the fallback, not a step: it is offered as text, never applied with the rest.
    changes: [],
    needsReboot: false,
    risk: 'Compaction stalls the machine briefly; a boot-time pool is reserved whether or not a model runs.',
    reference: `${DOC.hugetlbpage}; ${DOC.vmSysctl} (compact_memory)`,
    commands: [
      'echo 1 > /proc/sys/vm/compact_memory   # then grow the pool and read it back',
      `# still short: reserve at boot with hugepagesz=${pageSizeLabel(p.pageSizeKiB)} hugepages=${
        p.perNode.length > 1
          ? p.perNode.map((n) => `${n.node}:${n.poolTarget}`).join(',')
          : String(p.perNode[0]?.poolTarget ?? 0)
      }`,
    ],
  };
}

/**
 * What else decides whether anonymous weights end up on 2 MiB THP: the PMD size's own mTHP switch (6.8+; a
 * per-size `never` wins over the top-level setting), direct compaction on every fault (`defrag always` stalls
 * loading), and khugepaged's compaction, which collapses what faults could not get.
 */
function anonThpDetails(r: Report): { changes: WriteChange[]; evidence: Evidence[]; reasons: string[] } {
  const out = { changes: [] as WriteChange[], evidence: [] as Evidence[], reasons: [] as string[] };
  const pmdKiB = r.thp.pmdSizeBytes === null ? 2048 : r.thp.pmdSizeBytes / 1024;
  const pmd = r.thp.sizes.find((x) => x.sizeKiB === pmdKiB);
  if (pmd?.enabled === 'never') {
    const path = `${THP_DIR}/hugepages-${pmdKiB}kB/enabled`;
    out.changes.push(write(path, 'inherit', pmd.enabled));
    out.evidence.push({ path, value: 'never' });
    out.reasons.push(
      `The ${pageSizeLabel(pmdKiB)} size is switched off on its own (mTHP), whatever the top-level setting says.`,
    );
  }
  if (r.thp.defrag === 'always') {
    out.changes.push(write(`${THP_DIR}/defrag`, 'defer+madvise', r.thp.defrag));
    out.evidence.push({ path: `${THP_DIR}/defrag`, value: 'always' });
    out.reasons.push(
      'defrag "always" compacts memory on every THP fault, which stalls loading a model; defer+madvise leaves it to khugepaged.',
    );
  }
  if (r.thp.khugepaged['defrag'] === 0) {
    out.changes.push(write(`${THP_DIR}/khugepaged/defrag`, '1', 0));
    out.evidence.push({ path: `${THP_DIR}/khugepaged/defrag`, value: '0' });
    out.reasons.push(
      'khugepaged does not compact (defrag 0), so memory that faulted in as 4 KiB pages is rarely collapsed later.',
    );
  }
  return out;
}

/** THP for the runtime and backing the plan uses (or, without a plan, off → madvise). */
function thpRule(r: Report, p: PlanResult | null): Recommendation | null {
  const enabled = r.thp.enabled;
  if (!r.thp.present || enabled === null) return null;
  const evidence = [{ path: `${THP_DIR}/enabled`, value: enabled }];
  if (p?.backing === 'anon') {
    const more = anonThpDetails(r);
    if ((p.runtime.id === 'llama.cpp' || p.runtime.id === 'ollama') && enabled !== 'always')
      return {
        id: 'thp-always-for-anonymous-weights',
        severity: 'suggested',
        title: 'THP always, so anonymous weights get 2 MiB pages',
        reason: `With --no-mmap ${p.runtime.name} reads the weights into anonymous memory and does not ask for huge pages (no MADV_HUGEPAGE), so THP "${enabled}" leaves them on 4 KiB pages: ${countLabel(p.tlbEntries['4K'] ?? null)} TLB entries instead of ${countLabel(p.tlbEntries['2M'] ?? null)}. Page tables stay the same: anonymous THP deposits a PTE table per huge page.${more.reasons.length > 0 ? ` ${more.reasons.join(' ')}` : ''}`,
        evidence,
        changes: [write(`${THP_DIR}/enabled`, 'always', enabled), ...more.changes],
        needsReboot: false,
        risk: 'Every program gets THP: memory use of sparse allocators can grow; khugepaged works harder. Roll back if other workloads suffer.',
        reference: DOC.transhuge,
        ...(more.reasons.length > 0 ? { evidence: [...evidence, ...more.evidence] } : {}),
      };
    if (more.changes.length > 0)
      return {
        id: 'thp-anonymous-details',
        severity: 'suggested',
        title: 'Let anonymous weights get and keep 2 MiB THP',
        reason: more.reasons.join(' '),
        evidence: more.evidence,
        changes: more.changes,
        needsReboot: false,
        risk: 'Small: it changes how THP faults and khugepaged behave for every program.',
        reference: DOC.transhuge,
      };
  }
  if (enabled === 'never' && p?.backing !== 'hugetlb') {
    return {
      id: 'thp-madvise',
      severity: 'suggested',
      title: 'THP madvise instead of never',
      reason:
        'With THP off, anonymous memory (KV cache, --no-mmap weights, vLLM on CPU) is mapped with 4 KiB pages only; madvise lets programs that ask for huge pages get them without changing the others.',
      evidence,
      changes: [write(`${THP_DIR}/enabled`, 'madvise', enabled)],
      needsReboot: false,
      risk: 'Small: only programs that call madvise(MADV_HUGEPAGE) change.',
      reference: DOC.transhuge,
    };
  }
  return null;
}

/** Inside a container: the cgroup's HugeTLB limit caps what the model server can take from the pool. */
function cgroupRule(r: Report, p: PlanResult): Recommendation | null {
  if (p.backing !== 'hugetlb') return null;
  const limit = r.cgroup.hugetlb.find((x) => x.pageSizeKiB === p.pageSizeKiB);
  if (!limit || limit.maxBytes === null) return null;
  const needBytes = p.hugepagesNeeded * p.pageSizeKiB * 1024;
  if (limit.maxBytes >= needBytes) return null;
  const name = `hugetlb.${pageSizeLabel(p.pageSizeKiB)}B.max`;
  return {
    id: 'cgroup-hugetlb-limit',
    severity: 'critical',
    title: `This cgroup may use only ${proseMiB(limit.maxBytes / 1048576)} of ${pageSizeLabel(p.pageSizeKiB)} pages`,
    reason: `The plan maps ${p.hugepagesNeeded} pages (${proseMiB(needBytes / 1048576)}), but this cgroup's ${name} allows ${proseMiB(limit.maxBytes / 1048576)}: past it the mapping fails (ik_llama.cpp -thp falls back to a file mapping). The limit is set from outside the container (the host's cgroup of this container, or the orchestrator's hugepages resources).`,
    evidence: [
      { path: `/sys/fs/cgroup/${name}`, value: String(limit.maxBytes) },
      ...(limit.currentBytes === null
        ? []
        : [
            {
              path: `/sys/fs/cgroup/hugetlb.${pageSizeLabel(p.pageSizeKiB)}B.current`,
              value: String(limit.currentBytes),
            },
          ]),
    ],
    changes: [],
    needsReboot: false,
    risk: 'None from here: only the host can raise the limit.',
    reference: 'https://docs.kernel.org/admin-guide/cgroup-v2.html (HugeTLB)',
  };
}

/** Tiered machines: demotion and tiering-mode NUMA balancing migrate model memory during inference. */
function tieringRule(r: Report): Recommendation | null {
  if (r.numa.tiers.length < 2) return null;
  const demotion = r.numa.demotionEnabled === true;
  const tiering = r.numa.balancing !== null && (r.numa.balancing & 2) !== 0;
  if (!demotion && !tiering) return null;
  const changes: WriteChange[] = [];
  if (demotion) changes.push(write(PATHS.demotionEnabled, 'false', 'true'));
  if (tiering) changes.push(write(PATHS.numaBalancing, String(r.numa.balancing! & 1), r.numa.balancing));
  return {
    id: 'tiering-off-while-serving',
    severity: 'suggested',
    title: 'Keep model memory out of tier migration while serving',
    reason:
      'This machine has more than one memory tier and ' +
      [
        demotion ? 'demotes cold pages to slower memory' : '',
        tiering ? 'promotes hot pages back (tiering-mode NUMA balancing)' : '',
      ]
        .filter(Boolean)
        .join(' and ') +
      '. Every migration of a page shoots down its TLB entries on the CPUs using it, during inference. HugeTLB pages are never demoted, but the KV cache and buffers are ordinary memory.',
    evidence: [
      { path: PATHS.demotionEnabled, value: String(r.numa.demotionEnabled) },
      { path: PATHS.numaBalancing, value: String(r.numa.balancing) },
      ...r.numa.tiers.map((t) => ({
        path: `/sys/devices/virtual/memory_tiering/memory_tier${t.id}/nodelist`,
        value: t.nodes.join(','),
      })),
    ],
    changes,
    needsReboot: false,
    risk: 'Other workloads lose automatic placement between tiers until it is turned back on.',
    reference: DOC.tiering,
  };
}

function alignmentRule(r: Report): Recommendation | null {
  if (r.kernel.implies.thpAlignmentRegression !== true) return null;
  return {
    id: 'thp-alignment-kernel',
    severity: 'suggested',
    title: 'Use a kernel outside the THP alignment regression',
    reason: `Kernel ${r.kernel.release ?? '?'} has the version of upstream kernels that align every anonymous mapping of 2 MiB or more to 2 MiB (6.7 to 6.11.6), leaving gaps that stop mappings merging. Slowdowns of inference runtimes have been reported, not proven. Distribution kernels may carry the fix: a runtime probe tells for sure.`,
    evidence: [{ path: PATHS.osrelease, value: r.kernel.release ?? '?' }],
    changes: [],
    needsReboot: true,
    risk: 'A kernel change: test the new kernel before relying on it.',
    reference: DOC.alignmentFix,
  };
}

/**
 * A plan that does not fit gets no pool, no boot reservation and no HVO step: reserving memory for a model
 * that cannot run only takes it from everything else (and a boot-time pool too large stops the machine from
 * booting). What fails, and what would make it fit, is said instead.
 */
function noFitRule(p: PlanResult, o: RecommendOptions): Recommendation | null {
  if (p.fits) return null;
  const failing = p.constraints.filter((c) => !c.ok);
  const fixes = p.suggestions.filter((x) => x.fits);
  return {
    id: 'plan-does-not-fit',
    severity: 'critical',
    title: 'The plan does not fit: nothing is reserved for it',
    reason:
      `${failing.map((c) => c.message).join('; ')}. ` +
      (fixes.length > 0
        ? `What would fit: ${fixes.map((x) => (o.frontEnd === 'app' ? x.change : `${x.change} (${x.flags})`)).join(', ')}.`
        : 'No single change tried makes it fit.'),
    evidence: [{ path: PATHS.meminfo, value: `MemAvailable ${proseMiB(p.machine.availableMiB.value)}` }],
    changes: [],
    needsReboot: false,
    risk: 'A pool reserved anyway is memory nothing else can use; a boot-time pool too large for the machine stops it from booting (at the boot menu press e and delete hugepages= for one boot to recover).',
    reference: DOC.hugetlbpage,
  };
}

/** A plan that pins the model (--mlock) needs a memlock limit, or the runtime fails to lock it. */
function memlockRule(p: PlanResult, o: RecommendOptions): Recommendation | null {
  if (!p.mlock || p.backing === 'hugetlb') return null;
  const changes: Change[] = [];
  if (o.unit) changes.push({ kind: 'memlock', scope: 'service', name: o.unit, limit: 'infinity' });
  if (o.user) changes.push({ kind: 'memlock', scope: 'user', name: o.user, limit: 'infinity' });
  return {
    id: 'memlock',
    severity: 'important',
    title: 'Allow the model server to lock its memory',
    reason:
      `--mlock pins ${proseMiB(p.footprintMiB)}, far above the usual 8 MiB memlock limit: the runtime prints "failed to mlock" and runs unpinned. ` +
      (changes.length === 0
        ? `Name the service (${controlName('unit', o.frontEnd ?? 'cli')}) or the user (${controlName('user', o.frontEnd ?? 'cli')}) to get the exact file.`
        : 'A systemd service needs LimitMEMLOCK; a login session needs limits.d (log in again after).'),
    evidence: [],
    changes,
    needsReboot: false,
    risk: 'A process that may lock unlimited memory can starve the machine if it misbehaves.',
    reference: 'systemd.exec(5) LimitMEMLOCK=; limits.conf(5) memlock',
    ...(changes.length === 0
      ? {
          commands: [
            'ulimit -l unlimited   # in the shell that starts the server, as root or with a raised hard limit',
          ],
        }
      : {}),
  };
}

/** Where each runtime's launch flags are documented or implemented. */
const LAUNCH_REFERENCE: Record<PlanResult['runtime']['id'], string> = {
  'llama.cpp': 'llama.cpp tools/server/README.md; --load-mode (PR #20834) replaced --mmap/--no-mmap',
  'ik_llama.cpp': 'ik_llama.cpp src/llama-mmap.cpp (-thp, MAP_HUGETLB at the default huge page size)',
  ollama: 'ollama envconfig/config.go (no huge page setting); use_mmap is a per-request option',
  'vllm-cpu': 'vLLM docs: CPU installation (VLLM_CPU_KVCACHE_SPACE, VLLM_CPU_OMP_THREADS_BIND)',
  ktransformers: 'KTransformers issues #321 and #1147 (USE_NUMA keeps a copy of the weights per node)',
};

/** What to run, true to each runtime's own flags (never a setting no runtime reads). */
function launchRule(p: PlanResult, o: RecommendOptions): Recommendation {
  const model = shWord(o.modelPath ?? 'MODEL.gguf');
  const c = p.ctx !== null ? ` -c ${p.ctx}` : '';
  // A quantized V cache needs flash attention, which current builds turn on by themselves where supported.
  const kv = p.kvType === 'f16' ? '' : ` -ctk ${p.kvType} -ctv ${p.kvType}`;
  const numa = p.numactl ? `${p.numactl} ` : '';
  let commands: string[];
  let how: string;
  switch (p.runtime.id) {
    case 'ik_llama.cpp':
      commands = [`${numa}llama-server -m ${model}${c}${kv} -thp`];
      how =
        '-thp reads the weights into the pool; check its stderr for "mmap with huge page size" (a fallback to a file mapping) or "using THP with page size".';
      break;
    case 'llama.cpp':
      commands = [
        `${numa}llama-server -m ${model}${c}${kv}${p.backing === 'anon' ? ' --load-mode none' : p.mlock ? ' --load-mode mlock' : ''}   # newer builds (--load-mode)`,
        `${numa}llama-server -m ${model}${c}${kv}${p.backing === 'anon' ? ' --no-mmap' : ''}${p.mlock ? ' --mlock' : ''}   # builds before --load-mode`,
      ];
      how =
        'Mainline llama.cpp has no huge page flag: weights use the page cache (mmap) or anonymous memory, where THP applies.';
      break;
    case 'ollama':
      commands = ['ollama serve'];
      how =
        'Ollama has no huge page setting; it runs numactl itself when installed, and use_mmap is a per-request option.';
      break;
    case 'vllm-cpu': {
      const space = p.runtime.kvSpaceGiB;
      const ranks = Math.max(1, p.perNode.length);
      commands = [
        `VLLM_CPU_KVCACHE_SPACE=${space ?? 4} VLLM_CPU_OMP_THREADS_BIND=auto vllm serve MODEL --tensor-parallel-size ${ranks}`,
      ];
      how = 'Each rank needs its weight shard plus its KV space within one NUMA node.';
      break;
    }
    case 'ktransformers':
      commands = ['export USE_NUMA=1   # before building KTransformers: one copy of the weights per NUMA node'];
      how = 'USE_NUMA multiplies the weights by the number of NUMA nodes (a BIOS exposing 4 nodes means 4 copies).';
      break;
  }
  return {
    id: 'launch',
    severity: 'info',
    title: `Start ${p.runtime.name} to match the plan`,
    reason: how,
    evidence: [],
    changes: o.unit && p.numactl ? [{ kind: 'service', unit: o.unit, environment: {}, numactl: p.numactl }] : [],
    needsReboot: false,
    risk: 'None by itself.',
    reference: LAUNCH_REFERENCE[p.runtime.id],
    commands:
      [...new Set(commands.map((x) => x.replace(/ {3}# .*$/, '')))].length === 1
        ? [commands[0]!.replace(/ {3}# .*$/, '')]
        : commands,
  };
}

const ORDER = (c: Change): number => {
  if (c.kind !== 'write') return 9;
  if (c.path === PATHS.hvoSysctl) return 0;
  if (c.path.endsWith('/nr_hugepages')) {
    // Shrinks before grows, so released memory is there for the pool that grows.
    const now = Number(c.before ?? 0);
    return Number(c.value) < now ? 1 : 2;
  }
  return 3;
};

/** Whether the running kernel's command line has this parameter with this value (a bare flag: null). */
function hasParam(cmdline: Report['kernel']['cmdline'], key: string, value: string | null): boolean {
  const v = cmdline?.[key];
  const vals = v === undefined ? [] : Array.isArray(v) ? v : [v];
  return vals.some((x) => (x === true ? value === null : x === value));
}

/** Every change once, in an order that works; the boot line without what it already says. */
export function mergeChanges(
  recs: readonly Recommendation[],
  r: Report | null,
): { changes: Change[]; merged: string[] } {
  const merged: string[] = [];
  const writes = new Map<string, WriteChange>();
  const others: Change[] = [];
  const boot = new Map<string, string | null>();
  // hugepagesz/hugepages come in pairs and repeat per size: keep them as pairs keyed by size.
  const pairs = new Map<string, string>();
  for (const rec of recs) {
    for (const c of rec.changes) {
      if (c.kind === 'write') {
        if (c.before === c.value) {
          merged.push(`${c.path} is already ${c.value}`);
          continue;
        }
        const prev = writes.get(c.path);
        if (prev && prev.value !== c.value) merged.push(`${c.path}: ${rec.id} wants ${c.value}, kept ${prev.value}`);
        if (!prev) writes.set(c.path, c);
      } else if (c.kind === 'boot') {
        for (let k = 0; k < c.set.length; k++) {
          const s = c.set[k]!;
          if (s.key === 'hugepagesz' && c.set[k + 1]?.key === 'hugepages') {
            pairs.set(s.value ?? '', c.set[k + 1]!.value ?? '');
            k++;
          } else boot.set(s.key, s.value);
        }
      } else others.push(c);
    }
  }
  const cmdline = r?.kernel.cmdline ?? null;
  const has = (key: string, value: string | null): boolean => hasParam(cmdline, key, value);
  const set: BootChange['set'] = [];
  for (const [key, value] of boot) {
    if (has(key, value)) merged.push(`${key}${value === null ? '' : `=${value}`} is already on the boot line`);
    else set.push({ key, value });
  }
  const reserved = r?.kernel.boot?.hugepages ?? [];
  for (const [size, count] of pairs) {
    const already = reserved.some(
      (x) =>
        pageSizeLabel(x.pageSizeKiB) === size &&
        (x.perNode
          ? Object.entries(x.perNode)
              .map(([n, c]) => `${n}:${c}`)
              .join(',')
          : String(x.count)) === count,
    );
    if (already) merged.push(`hugepagesz=${size} hugepages=${count} is already on the boot line`);
    else set.push({ key: 'hugepagesz', value: size }, { key: 'hugepages', value: count });
  }
  const changes: Change[] = [...writes.values()].sort((a, b) => ORDER(a) - ORDER(b));
  if (set.length > 0) changes.push({ kind: 'boot', set, remove: [] });
  changes.push(...others);
  return { changes, merged };
}

/** The advice for a machine (null: a planned machine, whose files are not there to read) and an optional plan. */
export function recommend(r: Report | null, p: PlanResult | null, o: RecommendOptions = {}): Advice {
  const rules: (Recommendation | null)[] = [
    p ? noFitRule(p, o) : null,
    // Pool steps only for a plan that fits; without a plan, HVO advice is about the pools the machine has.
    p === null || p.fits ? hvoRule(r, p) : null,
    ...(p?.fits ? poolRules(r, p) : []),
    r && p?.fits ? readinessRule(r, p) : null,
    r && p ? cgroupRule(r, p) : null,
    r ? thpRule(r, p) : null,
    r ? tieringRule(r) : null,
    r ? alignmentRule(r) : null,
    p ? memlockRule(p, o) : null,
    p && p.ctx !== null ? launchRule(p, o) : null,
  ];
  const recommendations = rules.filter((x): x is Recommendation => x !== null);
  return { recommendations, ...mergeChanges(recommendations, r) };
}
