/**
 * `carrel sync <connector>`: bring a connector's library in step with its source, as a durable
 * task with a progress bar; Ctrl-C cancels it and leaves the library and the connector as they
 * were. A sync of the same connector already running (started here or by an MCP client) is
 * joined rather than started twice. A sync that asks for a token (none stored, or refused) stops
 * naming `carrel connectors set-token`.
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

/** Adds `sync` to the program. */
export function register(program: Command): void {
  program
    .command('sync')
    .description('Sync a connector: index what changed in its source, delete what is gone (see carrel connectors)')
    .argument('<connector>', 'the connector, by name (see carrel connectors list)')
    .action(async (connector: string, _o: unknown, command: Command) => {
      const context = commandContext(command);
      const result = await withRuntime(context.settings, { runs: 'assigned' }, (runtime) =>
        runToolTask(
          runtime,
          'sync_connector',
          { connector },
          {
            ...context,
            inputHint: `Store a token with carrel connectors set-token ${connector} --token-env VARIABLE, then run carrel sync ${connector} again.`,
          },
        ),
      );
      print(result.structuredContent as unknown as IngestResult, context.json, (r) => summarizeIngest(r, cliFix));
    });
}
