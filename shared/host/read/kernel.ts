import { parseKernelRelease } from '../../kernel/version';
import { bootParams } from '../boot';
import { parseCommandLine } from '../parse/cmdline';
import { parseLine, parseRelease } from '../parse/scalar';
import { PATHS } from '../paths';
import type { KernelState } from '../state';
import type { ReadContext } from './context';

export function readKernel(ctx: ReadContext): KernelState {
  const release = ctx.get(PATHS.osrelease, parseRelease);
  // /proc/sys/kernel/arch appeared in 5.x; older kernels only say it in the release suffix (e.g. ".x86_64").
  const arch = ctx.get(PATHS.arch, parseLine, true) ?? archFromRelease(release);
  const line = ctx.get(PATHS.cmdline, parseCommandLine);
  const cmdline = line?.params ?? null;
  return {
    release,
    version: release === null ? null : parseKernelRelease(release),
    arch,
    cmdline,
    initArgs: line?.initArgs ?? null,
    boot: cmdline === null ? null : bootParams(cmdline),
  };
}

function archFromRelease(release: string | null): string | null {
  const m = release ? /\.(x86_64|aarch64|ppc64le|s390x)$/.exec(release) : null;
  return m ? m[1]! : null;
}

/** The CPU feature flags of the first CPU (x86 `flags`, arm64 `Features`). */
export function readCpuFlags(ctx: ReadContext): ReadonlySet<string> | null {
  return ctx.get(PATHS.cpuinfo, (text) => {
    const m = /^(?:flags|Features)\s*:(.*)$/m.exec(text);
    // No flags line (some virtual CPUs, a trimmed capture): the flags are unknown, not empty.
    return m ? { ok: true, value: new Set(m[1]!.trim().split(/\s+/)) } : { ok: false, reason: 'no flags line' };
  });
}
