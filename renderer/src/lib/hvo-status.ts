/** HVO's word for the views (one rule with the CLI: shared/host/hvo-status), and the architecture's page sizes. */
import type { Report } from '../../../shared/host/report';
import { archPages, basePageFromPmdBytes, type ArchPages } from '../../../shared/kernel/pages';

export { hvoStatus, type HvoWord } from '../../../shared/host/hvo-status';

/** The HugeTLB page sizes this architecture offers, with its base page size (from the THP PMD size). */
export function archPageSizes(r: Report): ArchPages {
  return archPages(r.kernel.arch, basePageFromPmdBytes(r.thp.pmdSizeBytes) ?? 4);
}
