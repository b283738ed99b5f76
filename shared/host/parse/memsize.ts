/** Sizes as the kernel's memparse() reads them: `2M`, `1G`, `1024M`, `2048k`, or bare bytes. */
export function parseMemSizeKiB(text: string): number | null {
  const m = /^(\d{1,15})([kKmMgGtT]?)(?:[bB])?$/.exec(text.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const unit = (m[2] ?? '').toLowerCase();
  const kib =
    unit === 'k' ? n : unit === 'm' ? n * 1024 : unit === 'g' ? n * 1048576 : unit === 't' ? n * 1073741824 : n / 1024;
  return Number.isSafeInteger(kib) ? kib : null;
}
