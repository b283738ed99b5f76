/** Whether HVO can exist on a kernel: architecture and version, from the one table in shared/kernel. */
import { hvoArchSupport } from '../kernel/facts';
import type { KernelVersion } from '../kernel/version';

export function hvoSupported(arch: string, v: KernelVersion): boolean {
  return hvoArchSupport(arch, v).supported === true;
}
