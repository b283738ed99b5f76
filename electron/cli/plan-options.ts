/** The `plan` command's flags, apart so the CLI can parse them without loading the planner. */
export const PLAN_OPTIONS = {
  model: { type: 'string' },
  quant: { type: 'string' },
  gguf: { type: 'string' },
  'footprint-mib': { type: 'string' },
  ctx: { type: 'string' },
  'kv-type': { type: 'string' },
  'page-size': { type: 'string' },
  hvo: { type: 'string' },
  'no-mmap': { type: 'boolean' },
  mlock: { type: 'boolean' },
  numa: { type: 'string' },
  'mem-gib': { type: 'string' },
  'available-mib': { type: 'string' },
  'reserve-mib': { type: 'string' },
} as const;
