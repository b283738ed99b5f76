/** The source flags the window accepts on its command line (`hugetune open --root DIR` passes them on). */
import { parseArgs } from 'node:util';
import type { SourceOptions } from '../host/source';

export function sourceFromArgv(
  argv: readonly string[],
): SourceOptions & { snapshot: string | undefined; sim: string | undefined } {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      root: { type: 'string' },
      snapshot: { type: 'string' },
      sim: { type: 'string' },
      port: { type: 'string' },
    },
    strict: false,
    allowPositionals: true,
  });
  return {
    root: typeof values.root === 'string' ? values.root : undefined,
    snapshot: typeof values.snapshot === 'string' ? values.snapshot : undefined,
    sim: typeof values.sim === 'string' ? values.sim : undefined,
  };
}
