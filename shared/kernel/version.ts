/** Kernel release strings ("6.18.44-fc-v595", "5.15.0-119-generic", "4.18.0-553.el8_10.x86_64"). */

/**
 * What a kernel release can look like: version numbers, then an optional local suffix of letters, digits and
 * . + ~ _ - (no spaces, slashes or control characters: the release names files under /boot and reaches terminals).
 */
export const KERNEL_RELEASE = /^\d+\.\d+(\.\d+)?([-+.~][\w.+~-]*)?$/;

export interface KernelVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

export function parseKernelRelease(release: string): KernelVersion | null {
  const m = /^(\d{1,3})\.(\d{1,3})(?:\.(\d{1,5}))?/.exec(release.trim());
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]), patch: m[3] === undefined ? 0 : Number(m[3]) };
}

export function compareVersions(a: KernelVersion, b: KernelVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

export function atLeast(v: KernelVersion, major: number, minor: number, patch = 0): boolean {
  return compareVersions(v, { major, minor, patch }) >= 0;
}
