/**
 * Applies the settings hugetune recommends to a simulated machine, the way a person would on a real one,
 * and says what each step did. Used for before/after comparisons of what-if machines.
 */
import type { SimMachine } from './machine';

export function applyRecommended(m: SimMachine): string[] {
  const steps: string[] = [];
  if (m.thp === 'never') {
    m.setThp('madvise');
    steps.push('THP enabled: never → madvise (runtimes that ask for huge pages get them)');
  }
  const pools = m.pools.filter((p) => p.perNode.some((n) => n > 0));
  const unoptimized = pools.some((p) => p.perNode.some((n, i) => n > p.optimized[i]!));
  if (m.hvoAvailable() && m.hasHvoSysctl() && (!m.hvo || unoptimized) && pools.length > 0) {
    m.setHvo(true);
    // Only pages allocated while HVO is on are optimized: release the pool and reserve it again.
    for (const p of pools) {
      const want = [...p.perNode];
      m.setPool(
        p.sizeKiB,
        want.map(() => 0),
      );
      m.setPool(p.sizeKiB, want);
    }
    steps.push(
      'HVO on (vm.hugetlb_optimize_vmemmap=1), then each pool released and reserved again so its pages are optimized',
    );
  }
  // 1 GiB pages the profile asks for but runtime allocation could not deliver: reserve them at boot.
  const asked = m.profile.pools.find((p) => p.sizeKiB === 1048576)?.perNode ?? [];
  const got = m.pools.find((p) => p.sizeKiB === 1048576)?.perNode ?? [];
  const wanted = asked.reduce((a, b) => a + b, 0);
  if (wanted > got.reduce((a, b) => a + b, 0) && !/\bhugepagesz=1G\b/.test(m.bootCmdline)) {
    const count = asked.length > 1 ? asked.map((n, i) => `${i}:${n}`).join(',') : String(wanted);
    const hvo = m.hvoAvailable() && !/hugetlb_free_vmemmap=/.test(m.bootCmdline) ? ' hugetlb_free_vmemmap=on' : '';
    m.setCmdline(`${m.bootCmdline} hugepagesz=1G hugepages=${count}${hvo}`);
    m.reboot();
    steps.push(`1 GiB pages reserved at boot (hugepagesz=1G hugepages=${count}${hvo}) and the machine rebooted`);
  }
  if (steps.length === 0) steps.push('nothing to change: the machine already follows the recommendations');
  return steps;
}
