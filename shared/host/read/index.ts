/** Reads a whole machine from any file tree into a HostState. Synchronous: every source is local. */
import type { HostFiles } from '../files';
import type { HostState } from '../state';
import { readCgroupHugetlb } from './cgroup';
import { ReadContext } from './context';
import { nodeIds, readHugetlb } from './hugetlb';
import { readHvo } from './hvo';
import { readCpuFlags, readKernel } from './kernel';
import { readMemory } from './memory';
import { readNuma } from './numa';
import { readThp } from './thp';
import { readTlb } from './tlb';

export function readHost(files: HostFiles): HostState {
  const ctx = new ReadContext(files);
  const kernel = readKernel(ctx);
  const memory = readMemory(ctx);
  const nodes = nodeIds(ctx);
  return {
    source: files.source,
    kernel,
    thp: readThp(ctx),
    hugetlb: readHugetlb(ctx, memory.meminfo?.get('Hugepagesize') ?? null, nodes),
    hvo: readHvo(ctx, kernel, memory.vmstat),
    memory,
    tlb: readTlb(ctx, kernel.arch),
    numa: readNuma(ctx, nodes),
    cpuFlags: readCpuFlags(ctx),
    cgroupHugetlb: readCgroupHugetlb(ctx),
    diagnostics: ctx.diagnostics,
  };
}
