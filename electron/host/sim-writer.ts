/**
 * The guided setup against a simulated machine: the same Writer the apply engine uses for a real one, so the
 * steps, read-backs and statuses are the same, but the writes go to the simulation and need no privileges.
 */
import { currentValue } from '../../shared/advise/settings';
import { UserError } from '../../shared/errors';
import type { SimFiles } from '../../shared/sim/source';
import { writeSim } from '../../shared/sim/writes';
import type { WriteOutcome, Writer } from './writers';

export class SimWriter implements Writer {
  readonly kind = 'simulator';

  constructor(private readonly files: SimFiles) {}

  read(path: string): Promise<string | null> {
    const f = this.files.read(path);
    return Promise.resolve(f.kind === 'text' ? currentValue(f.text) : null);
  }

  async write(path: string, value: string): Promise<WriteOutcome> {
    const before = await this.read(path);
    const problem = writeSim(this.files.machine, path, value);
    this.files.changed();
    if (problem !== null)
      throw new UserError(
        problem,
        /not a setting|not one of|whole number|outside/.test(problem) ? 'bad-request' : 'failed',
      );
    return { before, after: await this.read(path) };
  }
}
