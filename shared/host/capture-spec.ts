/**
 * What a snapshot holds: every kernel file the readers use today, and the neighbours a later hugetune may
 * want, so an old snapshot can be re-parsed by a newer version. The shell capture script
 * (resources/capture/hugetune-capture.sh) mirrors these lists; a test keeps the two equal.
 */

import { cgroupHugetlbFiles } from './read/cgroup';

/** Single files. */
export const CAPTURE_FILES: readonly string[] = [
  '/proc/cmdline',
  '/proc/meminfo',
  '/proc/vmstat',
  '/proc/interrupts',
  '/proc/cpuinfo',
  '/proc/version',
  '/proc/mounts',
  '/proc/buddyinfo',
  '/proc/swaps',
  // A container's HugeTLB limits (cgroup v2; the root cgroup of a host has none of these files).
  ...cgroupHugetlbFiles(),
  '/proc/sys/kernel/osrelease',
  '/proc/sys/kernel/arch',
  '/proc/sys/kernel/numa_balancing',
  '/proc/sys/kernel/numa_balancing_promote_rate_limit_MBps',
  '/sys/kernel/mm/numa/demotion_enabled',
  '/sys/devices/system/cpu/online',
  '/sys/devices/system/cpu/possible',
  '/sys/devices/system/node/online',
  '/sys/devices/system/node/possible',
  '/sys/devices/system/node/has_cpu',
  '/sys/devices/system/node/has_memory',
  '/sys/devices/system/node/has_normal_memory',
  // The boot loader's configuration (shared/advise/bootloader.ts): what the next boot will pass the kernel,
  // which differs from /proc/cmdline until then. os-release tells the distributions (and their tools) apart.
  '/etc/os-release',
  '/usr/lib/os-release',
  '/etc/default/grub',
  '/etc/kernel/cmdline',
  '/etc/kernel/proxmox-boot-uuids',
  '/etc/kernelstub/configuration',
];

/** Directories captured whole (regular files, recursively), minus the names below. */
export const CAPTURE_TREES: readonly string[] = [
  '/proc/sys/vm',
  '/sys/kernel/mm/transparent_hugepage',
  '/sys/kernel/mm/hugepages',
  '/sys/devices/virtual/memory_tiering',
  // GRUB drop-ins sourced after /etc/default/grub (Debian/Ubuntu), and BLS entries (Fedora/RHEL GRUB, systemd-boot;
  // often readable by root only, then simply absent from an unprivileged snapshot).
  '/etc/default/grub.d',
  '/boot/loader/entries',
];

/** Files read in every `/sys/devices/system/node/nodeN/`, plus its `hugepages/` tree. */
export const CAPTURE_NODE_FILES: readonly string[] = ['meminfo', 'numastat', 'cpulist', 'distance', 'vmstat'];

/**
 * Never read: `demote` is write-only (reading it fails), `uevent` and `power/` are device-model noise, and
 * `stat_refresh` is a write trigger.
 */
export const CAPTURE_SKIP: readonly string[] = ['demote', 'uevent', 'power', 'stat_refresh'];

/**
 * A process's files, captured on request (`hugetune snapshot --pid PID`, the capture script's --pid) so its
 * model server can be inspected on another machine. smaps is left out: costly, and smaps_rollup sums it.
 */
export const CAPTURE_PROCESS_FILES: readonly string[] = [
  'status',
  'smaps_rollup',
  'numa_maps',
  'maps',
  'cmdline',
  'comm',
];
