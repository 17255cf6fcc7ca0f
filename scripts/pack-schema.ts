// Writes packages/carrel/schemas/pack.schema.json from the pack format's zod schema (its one
// definition, packages/carrel/src/packs/format.ts); test/packs/format.test.ts checks it is current.
//   npm run schema -w packages/carrel
import { mkdirSync, writeFileSync } from 'node:fs';
import { packJsonSchema } from '../packages/carrel/src/packs/format.ts';

const dir = new URL('../packages/carrel/schemas/', import.meta.url);
mkdirSync(dir, { recursive: true });
writeFileSync(new URL('pack.schema.json', dir), `${JSON.stringify(packJsonSchema(), null, 2)}\n`);
