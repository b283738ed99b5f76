/** Every kernel path the readers use, in one place (the capture script and the simulator mirror this list). */
export const THP_DIR = '/sys/kernel/mm/transparent_hugepage';
export const HUGETLB_DIR = '/sys/kernel/mm/hugepages';
export const NODE_DIR = '/sys/devices/system/node';
export const TIER_DIR = '/sys/devices/virtual/memory_tiering';

export const PATHS = {
  osrelease: '/proc/sys/kernel/osrelease',
  arch: '/proc/sys/kernel/arch',
  cmdline: '/proc/cmdline',
  cpuinfo: '/proc/cpuinfo',
  meminfo: '/proc/meminfo',
  vmstat: '/proc/vmstat',
  interrupts: '/proc/interrupts',
  configGz: '/proc/config.gz',
  hvoSysctl: '/proc/sys/vm/hugetlb_optimize_vmemmap',
  numaBalancing: '/proc/sys/kernel/numa_balancing',
  promoteRateLimit: '/proc/sys/kernel/numa_balancing_promote_rate_limit_MBps',
  mounts: '/proc/mounts',
  buddyinfo: '/proc/buddyinfo',
  hugetlbShmGroup: '/proc/sys/vm/hugetlb_shm_group',
  demotionEnabled: '/sys/kernel/mm/numa/demotion_enabled',
} as const;

/**
 * The kernel config a distribution ships in /boot for a release, or null when the release could not be one
 * file name's tail: a `/` or `..` in it (read from a copied or hostile tree) would lead out of /boot. The capture
 * script refuses the same releases.
 */
export const bootConfigPath = (release: string): string | null =>
  release.includes('/') || release.includes('..') ? null : `/boot/config-${release}`;
