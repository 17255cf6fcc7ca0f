/**
 * `carrel migrate`: brings the database up to this release, the tasks' schema and the knowledge
 * base's, then exits. For operators who migrate before rolling a release out to a cluster's nodes;
 * never required, since every node also migrates when it starts, under the same locks (an advisory
 * lock on PostgreSQL, the write lock on SQLite), so nodes starting at once apply each step once.
 *
 * @module
 */
import { mkdirSync } from 'node:fs';
import type { Command } from 'commander';
import { taskStore } from '../../app/runtime.js';
import { describeLocation, storeLocation } from '../../store/location.js';
import { openRepository } from '../../store/open-repository.js';
import { commandContext } from '../context.js';
import { print } from '../output.js';

/** Adds `migrate` to the program. */
export function register(program: Command): void {
  program
    .command('migrate')
    .description('Apply the pending database migrations of the tasks and the knowledge base, then exit')
    .action(async (_o: unknown, command: Command) => {
      const { settings, json } = commandContext(command);
      const location = storeLocation(settings.dataDir, settings.databaseUrl);
      mkdirSync(settings.dataDir, { recursive: true, mode: 0o700 });
      const tasks = await taskStore(settings);
      try {
        await tasks.migrate();
      } finally {
        await tasks.close();
      }
      // Opening a repository migrates it.
      await (await openRepository(location)).close();
      print(
        { migrated: true, database: { kind: location.kind, location: describeLocation(location) } },
        json,
        (r) => `Migrated the tasks and the knowledge base in ${r.database.location}`,
      );
    });
}
