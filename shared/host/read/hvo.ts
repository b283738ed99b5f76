import { parseUnsigned } from '../parse/scalar';
import { bootConfigPath, PATHS } from '../paths';
import { kernelParams, type CmdlineParam } from '../parse/cmdline';
import { hvoArchSupport } from '../../kernel/facts';
import type { HvoState, KernelState } from '../state';
import type { ReadContext } from './context';

const ON_WORDS = new Set(['on', '1', 'y', 'yes', 'true']);
const OFF_WORDS = new Set(['off', '0', 'n', 'no', 'false']);

/** `hugetlb_free_vmemmap=` as the kernel's kstrtobool reads it: true, false, or null when absent/unknown. */
export function bootHvoSwitch(cmdline: readonly CmdlineParam[] | null): boolean | null {
  const last =
    cmdline &&
    kernelParams(cmdline)
      .filter((p) => p.key === 'hugetlb_free_vmemmap')
      .at(-1);
  const v = last?.value?.toLowerCase();
  if (v === undefined) return null;
  if (ON_WORDS.has(v)) return true;
  if (OFF_WORDS.has(v)) return false;
  return null;
}

/** Whether the kernel config builds HVO in; null when no config is readable. */
function configHasHvo(ctx: ReadContext, release: string | null): boolean | null {
  const boot = release ? bootConfigPath(release) : null;
  const paths = [PATHS.configGz, ...(boot === null ? [] : [boot])];
  for (const path of paths) {
    const text = ctx.get(path, (t) => ({ ok: true, value: t }), true);
    if (text === null) continue;
    // Renamed from HUGETLB_PAGE_FREE_VMEMMAP (5.14-5.18) to HUGETLB_PAGE_OPTIMIZE_VMEMMAP.
    return /^CONFIG_HUGETLB_PAGE_(?:OPTIMIZE|FREE)_VMEMMAP=y$/m.test(text);
  }
  return null;
}

export function readHvo(ctx: ReadContext, kernel: KernelState, vmstat: ReadonlyMap<string, number> | null): HvoState {
  const { release, cmdline } = kernel;
  const file = ctx.files.read(PATHS.hvoSysctl);
  const sysctlPresent = file.kind !== 'missing';
  const sysctl = ctx.interpret(PATHS.hvoSysctl, file, parseUnsigned, true);
  // The sysctl exists exactly when HVO is built in (and struct page is a power of two), so only look
  // at the kernel config when it is absent: that spares decompressing /proc/config.gz on every read.
  const compiled = sysctlPresent ? true : configHasHvo(ctx, release);
  let enabled: boolean | null;
  if (sysctl !== null) enabled = sysctl !== 0;
  else if (compiled === false) enabled = false;
  else enabled = compiled === true ? (bootHvoSwitch(cmdline) ?? null) : null;
  const a = vmstat?.get('nr_memmap_pages');
  const b = vmstat?.get('nr_memmap_boot_pages');
  const arch = hvoArchSupport(kernel.arch, kernel.version);
  return {
    compiled,
    enabled,
    memmapPages: a !== undefined && b !== undefined ? a + b : null,
    sysctl,
    bootParam: kernel.boot?.hugetlbFreeVmemmap ?? null,
    archSupported: arch.supported,
    archNote: arch.note,
  };
}
