/**
 * What the search benches that read `scale.ts`'s cached stores share: their `--name value`
 * options and where the cached SQLite knowledge base of a size lives.
 *
 * @module
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { databasePath } from '../../packages/carrel/src/data-dir.js';

/** The value after `--<name>` on the command line, if given. */
export function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** The SQLite database file of the knowledge base `scale.ts --chunks <chunks>` built and cached. */
export function cachedStorePath(chunks: number): string {
  return databasePath(join(dirname(fileURLToPath(import.meta.url)), '..', '.scale-cache', `sqlite-${chunks}`));
}
