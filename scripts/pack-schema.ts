// Writes packages/carrel/schemas/pack.schema.json from the pack format's zod schema (its one
// definition, packages/carrel/src/packs/format.ts), and sources.schema.json from the sources
// manifest's (src/connectors/manifest.ts); test/packs/format.test.ts and
// test/connectors/manifest.test.ts check they are current.
//   npm run schema -w packages/carrel
import { mkdirSync, writeFileSync } from 'node:fs';
import { sourcesJsonSchema } from '../packages/carrel/src/connectors/manifest.ts';
import { packJsonSchema } from '../packages/carrel/src/packs/format.ts';

const dir = new URL('../packages/carrel/schemas/', import.meta.url);
mkdirSync(dir, { recursive: true });
writeFileSync(new URL('pack.schema.json', dir), `${JSON.stringify(packJsonSchema(), null, 2)}\n`);
writeFileSync(new URL('sources.schema.json', dir), `${JSON.stringify(sourcesJsonSchema(), null, 2)}\n`);
