/**
 * `carrel sync <connector>`: bring a connector's library in step with its source, as a durable
 * task with a progress bar; Ctrl-C cancels it and leaves the library and the connector as they
 * were. A sync of the same connector already running (started here or by an MCP client) is
 * joined rather than started twice. A sync that asks for a token (none stored, or refused) stops
 * naming `carrel connectors set-token`.
 *
 * `carrel sync --manifest [file]` first reconciles the connectors with a sources manifest
 * (`carrel.sources.yaml` in the working folder by default; see `connectors/manifest.ts`): it adds,
 * changes or leaves each declared connector, with `--prune` removes the others, prints one plan
 * line per connector, then syncs the declared ones in turn (unless `--no-sync`). A bad manifest
 * changes nothing and exits 2 naming the file, line and field.
 *
 * @module
 */
import type { Command } from 'commander';
import type { IngestResult } from '../../ingest/jobs.js';
import { DEFAULT_MANIFEST, readManifest } from '../../connectors/manifest.js';
import type { ReconcileStep } from '../../connectors/reconcile.js';
import { summarizeIngest } from '../../app/render.js';
import type { CarrelRuntime } from '../../app/runtime.js';
import { type CommandContext, commandContext, withRuntime } from '../context.js';
import { CliError, describeError, ExitCode } from '../errors.js';
import { notice, print } from '../output.js';
import { cliFix } from '../fix.js';
import { runToolTask } from '../run-task.js';

interface SyncOptions {
  manifest?: string | true;
  prune?: boolean;
  deleteDocuments?: boolean;
  sync: boolean;
}

/** Adds `sync` to the program. */
export function register(program: Command): void {
  program
    .command('sync')
    .description('Sync a connector: index what changed in its source, delete what is gone (see carrel connectors)')
    .argument('[connector]', 'the connector, by name (see carrel connectors list)')
    .option('--manifest [file]', `first reconcile the connectors with a sources manifest (default ./${DEFAULT_MANIFEST}), then sync them`)
    .option('--prune', 'with --manifest: remove the connectors the manifest does not name (their documents stay)')
    .option('--delete-documents', 'with --prune: also delete the documents of the connectors removed')
    .option('--no-sync', 'with --manifest: reconcile only, sync nothing')
    .action(async (connector: string | undefined, o: SyncOptions, command: Command) => {
      const context = commandContext(command);
      if ((connector === undefined) === (o.manifest === undefined))
        throw new CliError('Name a connector to sync, or give --manifest [file], not both', ExitCode.Usage);
      if (o.manifest === undefined && (o.prune || o.deleteDocuments || !o.sync))
        throw new CliError('--prune, --delete-documents and --no-sync go with --manifest', ExitCode.Usage);
      if (o.deleteDocuments && !o.prune) throw new CliError('--delete-documents goes with --prune', ExitCode.Usage);
      if (connector !== undefined) {
        const result = await withRuntime(context.settings, { runs: 'assigned' }, (runtime) => syncOne(runtime, context, connector));
        print(result, context.json, (r) => summarizeIngest(r, cliFix));
        return;
      }
      await syncManifest(context, o.manifest === true || o.manifest === undefined ? DEFAULT_MANIFEST : o.manifest, o);
    });
}

async function syncOne(runtime: CarrelRuntime, context: CommandContext, connector: string): Promise<IngestResult> {
  const result = await runToolTask(
    runtime,
    'sync_connector',
    { connector },
    {
      ...context,
      inputHint: `Store a token with carrel connectors set-token ${connector} --token-env VARIABLE, then run carrel sync ${connector} again.`,
    },
  );
  return result.structuredContent as unknown as IngestResult;
}

/** Reconciles with the manifest, prints the plan, then syncs each declared connector; a failed sync does not stop the others. */
async function syncManifest(context: CommandContext, path: string, o: SyncOptions): Promise<void> {
  const manifest = readManifest(path);
  await withRuntime(context.settings, { runs: 'assigned' }, async (runtime) => {
    const kb = await runtime.kb.get();
    const plan = await kb
      .reconcileConnectors(manifest.connectors, { prune: o.prune === true, deleteDocuments: o.deleteDocuments === true })
      .catch((error: unknown) => {
        throw manifest.locate(error);
      });
    if (!context.json) for (const step of plan) print(step, false, planLine);
    const synced: IngestResult[] = [];
    const failures: { connector: string; message: string; exitCode: number }[] = [];
    for (const { name } of o.sync ? manifest.connectors : []) {
      try {
        const result = await syncOne(runtime, context, name);
        synced.push(result);
        if (!context.json) print(result, false, (r) => summarizeIngest(r, cliFix));
      } catch (error) {
        const { message, exitCode } = describeError(error);
        failures.push({ connector: name, message: message ?? 'failed', exitCode });
        notice(`carrel: sync of ${name} failed: ${message ?? ''}`);
      }
    }
    if (context.json) print({ plan, synced, failures }, true, () => '');
    const first = failures[0];
    if (first)
      throw new CliError(`${failures.length} of ${manifest.connectors.length} syncs failed (first: ${first.connector})`, first.exitCode);
  });
}

/** E.g. "changed guide: options, schedule". */
function planLine(step: ReconcileStep): string {
  const detail =
    step.action === 'changed'
      ? `: ${step.changes.join(', ')}`
      : step.action === 'pruned' && step.deletedDocuments
        ? ` (${step.deletedDocuments} documents deleted)`
        : '';
  return `${step.action} ${step.connector}${detail}`;
}
