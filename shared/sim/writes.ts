/**
 * Writes to a simulated machine's kernel files, as a guided setup or `apply` makes them on a real one: the
 * same allow-list, the same values, and the kernel's semantics (a pool grows as far as memory allows, HVO
 * applies to pages allocated from now on). No privileges are involved: it is a simulation.
 */
import { ruleFor, refuse } from '../advise/settings';
import type { SimMachine } from './machine';
import { spread } from './edit';

const POOL = /^\/sys\/kernel\/mm\/hugepages\/hugepages-(\d+)kB\/nr_hugepages$/;
const NODE_POOL = /^\/sys\/devices\/system\/node\/node(\d+)\/hugepages\/hugepages-(\d+)kB\/nr_hugepages$/;

/** Applies one write; returns why it failed (as the kernel would say it), or null. */
export function writeSim(m: SimMachine, path: string, value: string): string | null {
  const refused = refuse(path, value);
  if (refused) return refused;
  try {
    let k: RegExpExecArray | null;
    if (path === '/proc/sys/vm/hugetlb_optimize_vmemmap') m.setHvo(value === '1');
    else if (path === '/proc/sys/vm/nr_hugepages') m.setPool(m.defaultSizeKiB, spread(Number(value), m.profile.nodes));
    else if ((k = POOL.exec(path))) m.setPool(Number(k[1]), spread(Number(value), m.profile.nodes));
    else if ((k = NODE_POOL.exec(path))) {
      const size = Number(k[2]);
      const node = Number(k[1]);
      const pool = m.pools.find((p) => p.sizeKiB === size);
      if (!pool || node >= pool.perNode.length) return `${path}: no such file`;
      m.setPool(
        size,
        pool.perNode.map((n, i) => (i === node ? Number(value) : n)),
      );
    } else if (path === '/sys/kernel/mm/transparent_hugepage/enabled')
      m.setThp(value as 'always' | 'madvise' | 'never');
    else if (path === '/sys/kernel/mm/transparent_hugepage/defrag') m.defrag = value;
    else if (path === '/proc/sys/kernel/numa_balancing') m.numaBalancing = Number(value);
    else if (path === '/sys/kernel/mm/numa/demotion_enabled') m.demotion = value === 'true';
    else return `${path}: the simulator does not model this file (${ruleFor(path)?.describe ?? 'unknown'})`;
  } catch (e) {
    return `${path}: ${e instanceof Error ? e.message : String(e)}`;
  }
  return null;
}
