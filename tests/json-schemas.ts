/**
 * The JSON Schema files in resources/schema/, made from the Valibot schemas hugetune itself checks with, so
 * other tools can validate snapshots and profiles. `npm run gen:schemas` writes them; a unit test fails when
 * the committed files differ from what this makes.
 */
import { toJsonSchema, type ConversionConfig } from '@valibot/to-json-schema';
import { format, resolveConfig } from 'prettier';
import { resolve } from 'node:path';
import type { GenericSchema } from 'valibot';
import { snapshotSchema, SNAPSHOT_FORMAT } from '../shared/host/snapshot';
import { profileSchema } from '../shared/sim/profile';
import { REPO } from './helpers';

export const SCHEMA_DIR = resolve(REPO, 'resources/schema');
const BASE = 'https://hugetune.dev/schema';

const config: ConversionConfig = {
  target: 'draft-07',
  // Every schema and action must convert (the default is to throw), except checks JSON Schema cannot state,
  // which hugetune enforces on its own and the schema's descriptions mention.
  overrideAction: ({ valibotAction, jsonSchema }) => (valibotAction.type === 'check' ? jsonSchema : null),
};

interface Format {
  file: string;
  schema: GenericSchema;
  title: string;
  description: string;
}

const FORMATS: Format[] = [
  {
    file: 'snapshot.schema.json',
    schema: snapshotSchema,
    title: 'hugetune snapshot',
    description:
      `A capture of the kernel files hugetune reads ("format": "${SNAPSHOT_FORMAT}", made by \`hugetune snapshot\`` +
      ' or resources/capture/hugetune-capture.sh). hugetune also checks what JSON Schema cannot: that a path is one' +
      ' the capture reads (/proc, /sys, /boot and the boot loader configuration), that base64 is whole, and that a' +
      ' base64 /proc/sys/kernel/osrelease decodes to a kernel release.',
  },
  {
    file: 'profile.schema.json',
    schema: profileSchema,
    title: 'hugetune simulator profile',
    description:
      'A simulated machine for `hugetune ... --sim FILE.json` and the Simulator view. hugetune also checks what' +
      ' JSON Schema cannot: at least one node has CPUs, one tier and one pool count per node, pool sizes the' +
      ' architecture offers, at most 8192 CPUs, and a boot line with balanced quotes.',
  },
];

/** Each file's name and its text, formatted as the repository's Prettier settings format JSON. */
export async function renderJsonSchemas(): Promise<{ file: string; text: string }[]> {
  const prettier = { ...(await resolveConfig(resolve(SCHEMA_DIR, 'x.json'))), parser: 'json' };
  return Promise.all(
    FORMATS.map(async (f) => {
      const { $schema, ...body } = toJsonSchema(f.schema, config);
      const doc = {
        $schema,
        $id: `${BASE}/${f.file}`,
        $comment: 'Generated from the Valibot schemas in hugetune by `npm run gen:schemas`: do not edit by hand.',
        title: f.title,
        description: f.description,
        ...body,
      };
      return { file: f.file, text: await format(JSON.stringify(doc), prettier) };
    }),
  );
}
