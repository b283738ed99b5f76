/**
 * Applies the settings hugetune recommends to a simulated machine, the way a careful person would on a real
 * one, and says what each step did. Used for before/after comparisons of what-if machines.
 *
 * No step takes away pages the user reserved: a pool is released to re-reserve it with HVO only when it is sure
 * to come back whole, and a reboot for 1 GiB pages puts every pool the machine holds on the boot line too, so
 * the reboot keeps them (a runtime reservation does not survive one).
 */
import { pageSizeLabel } from '../kernel/pages';
import type { SimMachine } from './machine';
import { numberText } from '../number-text';
import { bootParamsText, hugepagesCount, poolsBootParams, withoutPoolReservations } from '../plan/boot-line';

const GIGANTIC_KIB = 1048576;

const total = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/**
 * Releases a pool and reserves it again with HVO on, only when a trial on a copy of the machine gets every page
 * back on every node. Returns whether it did.
 */
function reReserve(m: SimMachine, sizeKiB: number): boolean {
  const want = [...m.pools.find((p) => p.sizeKiB === sizeKiB)!.perNode];
  const zeros = want.map(() => 0);
  const trial = m.clone();
  trial.setPool(sizeKiB, zeros);
  trial.setPool(sizeKiB, want);
  const back = trial.pools.find((p) => p.sizeKiB === sizeKiB)!.perNode;
  if (back.some((n, i) => n < want[i]!)) return false;
  m.setPool(sizeKiB, zeros);
  m.setPool(sizeKiB, want);
  return true;
}

export function applyRecommended(m: SimMachine): string[] {
  const steps: string[] = [];
  if (m.thp === 'never') {
    m.setThp('madvise');
    steps.push('THP enabled: never → madvise (runtimes that ask for huge pages get them)');
  }
  const pools = m.pools.filter((p) => p.perNode.some((n) => n > 0));
  const unoptimized = pools.filter((p) => p.perNode.some((n, i) => n > p.optimized[i]!));
  if (m.hvoAvailable() && m.hasHvoSysctl() && (!m.hvo || unoptimized.length > 0) && pools.length > 0) {
    m.setHvo(true);
    // Only pages allocated while HVO is on are optimized: a pool must be released and reserved again, which
    // is worth it only if all of it comes back (fragmented memory and gigantic pages may not).
    const redone: string[] = [];
    const kept: string[] = [];
    for (const p of unoptimized) {
      const label = `${numberText(total(p.perNode))} × ${pageSizeLabel(p.sizeKiB)}`;
      (reReserve(m, p.sizeKiB) ? redone : kept).push(label);
    }
    steps.push(
      'HVO on (vm.hugetlb_optimize_vmemmap=1)' +
        (redone.length > 0
          ? `, then the ${redone.join(' and ')} pool released and reserved again to optimize it`
          : '') +
        (kept.length > 0
          ? `; the ${kept.join(' and ')} pool kept as it is: released now, not all of it would come back at runtime (reserve it at boot with hugetlb_free_vmemmap=on to optimize it)`
          : ''),
    );
  }
  // 1 GiB pages the profile asks for but runtime allocation could not deliver: reserve them at boot. Every other
  // pool goes on the boot line at what it holds now, before the gigantic one, so the reboot takes none of it.
  const asked = m.profile.pools.find((p) => p.sizeKiB === GIGANTIC_KIB)?.perNode ?? [];
  const giant = m.pools.find((p) => p.sizeKiB === GIGANTIC_KIB);
  if (giant && total(asked) > total(giant.perNode) && !/\bhugepagesz=1G\b/.test(m.bootCmdline)) {
    const targets = m.pools
      .filter((p) => p.sizeKiB !== GIGANTIC_KIB && total(p.perNode) > 0)
      .map((p) => ({ sizeKiB: p.sizeKiB, perNode: [...p.perNode] }));
    targets.push({ sizeKiB: GIGANTIC_KIB, perNode: giant.perNode.map((n, i) => Math.max(n, asked[i] ?? 0)) });
    const hvo = m.hvoAvailable() && !/\bhugetlb_free_vmemmap=/.test(m.bootCmdline);
    const pools = targets.map((t) => ({
      pageKiB: t.sizeKiB,
      counts: hugepagesCount(
        t.perNode.map((pages, node) => ({ node, pages })),
        t.perNode.length,
      ),
    }));
    const cmdline = `${withoutPoolReservations(m.bootCmdline)} ${bootParamsText(poolsBootParams(pools, hvo))}`.trim();
    // What the step says it reserved: the gigantic pool and, when it is there, HVO's switch.
    const giantWords = bootParamsText(poolsBootParams(pools.slice(-1), hvo));
    const kept = targets.slice(0, -1).map((t) => `${numberText(total(t.perNode))} × ${pageSizeLabel(t.sizeKiB)}`);
    // Tried on a copy first: a reboot that could not give every pool back whole is not a recommendation.
    const trial = m.clone();
    trial.setCmdline(cmdline);
    trial.reboot();
    const shrunk = m.pools
      .filter((p) => {
        const after = trial.pools.find((x) => x.sizeKiB === p.sizeKiB)?.perNode ?? [];
        return p.perNode.some((n, i) => (after[i] ?? 0) < n);
      })
      .map((p) => `${numberText(total(p.perNode))} × ${pageSizeLabel(p.sizeKiB)}`);
    if (shrunk.length > 0) {
      steps.push(
        `1 GiB pages not reserved at boot: after the reboot the ${shrunk.join(' and ')} pool would not come back whole beside them (release some of it first)`,
      );
    } else {
      m.setCmdline(cmdline);
      m.reboot();
      steps.push(
        `1 GiB pages reserved at boot (${giantWords})` +
          (kept.length > 0 ? `, the ${kept.join(' and ')} pool reserved at boot too so the reboot keeps it,` : '') +
          ' and the machine rebooted',
      );
    }
  }
  if (steps.length === 0) steps.push('nothing to change: the machine already follows the recommendations');
  return steps;
}
