/** The one handler table behind every front end. */
import type { FrontEnd, Handlers, SourceState } from '../../shared/api';
import { readHost } from '../../shared/host/read/index';
import { buildReport } from '../../shared/host/report';
import type { ActiveSource } from './active-source';
import { readGgufModel } from './gguf';
import { readHardware } from './hardware';
import { MODELS, QUANTS } from '../../shared/plan/catalog';
import { isPlanned, modelChoice, runPlan } from '../../shared/plan/request';
import { snapshotFromText } from './snapshot-io';
import { SIM_START_SECONDS } from './sim-source';
import { UserError } from '../../shared/errors';
import { SimMachine } from '../../shared/sim/machine';
import { parseProfile } from '../../shared/sim/profile';
import { SimFiles } from '../../shared/sim/source';
import { APP_VERSION } from './version';

export const SAMPLE_INTERVAL_MS = 2000;

export function createHandlers(source: ActiveSource, frontEnd: FrontEnd): Handlers {
  const state = (): SourceState => ({
    current: { ...source.current.source },
    initial: { ...source.initial.source },
    version: source.version,
  });
  return {
    'app.info': () => ({
      name: 'hugetune',
      version: APP_VERSION,
      frontEnd,
      source: { ...source.current.source },
      sampleIntervalMs: SAMPLE_INTERVAL_MS,
    }),
    'host.report': () => buildReport(readHost(source.current)),
    'host.hardware': () => readHardware(source.current),
    'plan.run': async (req) => {
      const spec = modelChoice(req) === 'gguf' ? await readGgufModel(req.gguf!) : undefined;
      // A planned machine (memGiB) is described wholly by the request: the current source is not read.
      return runPlan(req, isPlanned(req) ? null : buildReport(readHost(source.current)), spec);
    },
    'models.list': () => ({ models: [...MODELS], quants: [...QUANTS] }),
    'source.get': state,
    'source.openSnapshot': ({ name, text }) => {
      // Parsed and validated in full before the switch: a bad file changes nothing.
      source.use(snapshotFromText(text, name));
      return state();
    },
    'source.openSim': ({ profile }) => {
      const p = parseProfile(profile);
      if (!p.ok) throw new UserError(`not a machine profile: ${p.error}`, 'bad-request');
      const machine = new SimMachine(p.value);
      machine.advance(SIM_START_SECONDS);
      source.use(new SimFiles(machine));
      return state();
    },
    'source.reset': () => {
      source.reset();
      return state();
    },
  };
}
