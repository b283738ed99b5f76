/**
 * HVO in one word, and why, for every front end (the app's badges, the CLI report). "Not applicable" where the
 * architecture's kernel cannot have HVO at all (arm64 since 6.3, for one): that is not a setting to turn on, so
 * it must not read as "off".
 */
import type { Report } from './report';

export type HvoWord = 'on' | 'off' | 'not applicable' | 'unknown';

export function hvoStatus(hvo: Report['hvo']): { word: HvoWord; css: 'on' | 'off' | 'na' | 'unknown'; why: string } {
  if (hvo.archSupported === false) return { word: 'not applicable', css: 'na', why: hvo.archNote };
  if (hvo.enabled === true) return { word: 'on', css: 'on', why: 'vm.hugetlb_optimize_vmemmap is on' };
  if (hvo.compiled === false) {
    return { word: 'off', css: 'off', why: 'this kernel is built without CONFIG_HUGETLB_PAGE_OPTIMIZE_VMEMMAP' };
  }
  if (hvo.enabled === false) return { word: 'off', css: 'off', why: 'built in, switched off' };
  return { word: 'unknown', css: 'unknown', why: 'neither the sysctl nor the kernel config could be read' };
}
