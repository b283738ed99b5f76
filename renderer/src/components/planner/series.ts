/**
 * Each term of a plan's memory has one colour in every plan, whatever terms the plan has: a series key per
 * term, and a theme token per key (--series-<key> in app.css, for both themes).
 */
export const SERIES = [
  'weights',
  'kv',
  'compute',
  'overhead',
  'prompt-cache',
  'rounding',
  'copies',
  'page-tables',
  'other',
  'saving',
  'needed',
  'available',
] as const;
export type Series = (typeof SERIES)[number];

/** The series a breakdown term belongs to, from its label (shared/plan/plan.ts names them). */
export function seriesOf(label: string): Series {
  if (label === 'Model weights' || label.startsWith('Runtime footprint')) return 'weights';
  if (label.startsWith('KV cache')) return 'kv';
  if (label === 'Compute buffers') return 'compute';
  if (label === 'Runtime overhead') return 'overhead';
  if (label.startsWith('Prompt cache')) return 'prompt-cache';
  if (label === 'Pool rounding') return 'rounding';
  if (label.startsWith('Weight copies')) return 'copies';
  if (label === 'Page tables') return 'page-tables';
  if (label === 'HVO gives back') return 'saving';
  return 'other';
}
