/**
 * `carrel reindex <library>`: embed the library's chunks that lack vectors (or rebuild them for a
 * new model), as a durable task with a progress bar; Ctrl-C cancels it.
 *
 * @module
 */
import type { Command } from 'commander';
import type { IngestResult } from '../../ingest/jobs.js';
import { summarizeIngest } from '../../app/render.js';
import { commandContext, withRuntime } from '../context.js';
import { print } from '../output.js';
import { cliFix } from '../fix.js';
import { runToolTask } from '../run-task.js';

/** Adds `reindex` to the program. */
export function register(program: Command): void {
  program
    .command('reindex')
    .description('Embed chunks that have no vector yet, or rebuild a library for the current embedder')
    .argument('<library>', 'library name, or name@version as carrel libraries prints it')
    .option('--lib-version <version>', 'library version')
    .action(async (library: string, options: { libVersion?: string }, command: Command) => {
      const context = commandContext(command);
      const args = { library, ...(options.libVersion !== undefined && { version: options.libVersion }) };
      const result = await withRuntime(context.settings, { runs: 'assigned' }, (runtime) =>
        runToolTask(runtime, 'reindex_library', args, context),
      );
      print(result.structuredContent as unknown as IngestResult, context.json, (r) => summarizeIngest(r, cliFix));
    });
}
