/**
 * A connector's sync as a durable workflow of the task engine (`@carrel/tasks`, docs/workflows.md):
 * `discover` lists what changed into the sync's plan, then `fetch` reads and stages the plan's
 * items in batches of SYNC_BATCH_ITEMS, each batch a child task, at most `parallelism` at once
 * (any node of the engine may take one). The steps are the knowledge base's own
 * (`discoverSync`, `fetchSync`); this module only schedules them. They all work in the run of the
 * `sync_connector` task that started the workflow, which applies the sync itself once the
 * workflow is done (`applySync`): the publish that changes the library and the cursor is the one
 * that completes the task the client sees, so a cancel either comes first and changes nothing, or
 * finds the task completed.
 *
 * A crash resumes only the unfinished steps (the engine's keyed children): a finished batch is not
 * run again; an interrupted one is, and finds what it had staged.
 *
 * @module
 */
import {
  ChildTaskError,
  defineWorkflow,
  isTerminal,
  TaskFailure,
  type ChildProgress,
  type ChildTask,
  type TaskContext,
  type TaskProgress,
  type WorkflowDefinition,
} from '@carrel/tasks';
import { KnowledgeBaseError } from '../errors.js';
import type { IngestResult } from '../ingest/jobs.js';
import { emptyResult, mergeResult } from '../ingest/result.js';
import { syncBatches } from '../ingest/sync-batches.js';
import type { RunOptions } from '../ingest/worker-client.js';
import { fromWire, toWire } from '../ingest/wire-error.js';
import type { WireError } from '../ingest/jobs.js';
import type { KnowledgeBase } from '../knowledge-base.js';
import type { KnowledgeBaseHandle } from './knowledge-base-handle.js';
import { asRetry, forwardProgress } from './tools/tool-result.js';

/** The workflow's name: its task's handler (its steps run as `connector-sync/discover` and `connector-sync/fetch`). */
export const SYNC_WORKFLOW = 'connector-sync';

/**
 * Fetch batches live at once, by default. A process's one ingest worker runs one job at a time:
 * the batches queued behind the running one keep it busy while the engine completes a batch's
 * task and starts the next (a batch of small files takes about as long as that round trip; see
 * bench/README.md § Connectors), and another process on the same data may take one.
 */
export const DEFAULT_SYNC_PARALLELISM = 4;

/** Attempts of a step whose source is unavailable for a while (or whose process died). */
const STEP_ATTEMPTS = 5;

/** The workflow's input. */
export interface SyncFlowInput {
  connector: string;
  /** The `sync_connector` task whose run the steps stage into. */
  task: string;
}

/** What the workflow's steps return. */
interface SyncFlowResult {
  discover: IngestResult;
  fetch: IngestResult[];
}

/** The workflow over `kb`. */
export function syncWorkflow(
  kb: Pick<KnowledgeBaseHandle, 'get'>,
  options: { parallelism?: number } = {},
): WorkflowDefinition<SyncFlowInput> {
  const step = <T>(input: SyncFlowInput, ctx: TaskContext, body: (base: KnowledgeBase, run: RunOptions) => Promise<T>) =>
    runStep(kb, input, ctx, body);
  return defineWorkflow<SyncFlowInput>({
    progress: (_own, steps) => syncProgress(steps),
    steps: {
      discover: {
        maxAttempts: STEP_ATTEMPTS,
        run: ({ input }, ctx) => step(input, ctx, (base, run) => base.discoverSync(input.connector, run)),
      },
      fetch: {
        after: ['discover'],
        maxAttempts: STEP_ATTEMPTS,
        forEach: ({ results }) => syncBatches((results.discover as IngestResult).plan!.reads),
        parallelism: options.parallelism ?? DEFAULT_SYNC_PARALLELISM,
        runBatch: ({ input, items: [slice] }, ctx) =>
          step(input, ctx, (base, run) =>
            base.fetchSync(input.connector, { runId: null, ...(slice as { from: number; to: number }) }, run),
          ),
      },
    },
  });
}

/**
 * The sync's progress in items, as one job reported it: the items discovery settled (unchanged,
 * deleted, or read during discovery) and the batches' items staged, of every item discovery
 * listed; the message is the running step's (its current item).
 */
function syncProgress(steps: readonly ChildProgress[]): TaskProgress {
  let current = 0;
  let total: number | undefined;
  let message: string | undefined;
  for (const { key, status, progress } of steps) {
    if (!progress) continue;
    current += progress.current;
    if (key === 'discover') total = progress.total;
    if (!isTerminal(status) && progress.message) message = `${key}: ${progress.message}`;
  }
  return { current, ...(total !== undefined && { total }), ...(message !== undefined && { message }) };
}

/**
 * The workflow's steps' results, merged into what the sync staged. A step that failed with a
 * knowledge-base error (a folder gone, a token refused) throws that error again, for the tool to
 * answer as it answers any; another failure ends the task without a retry (the step spent its own).
 */
export async function syncFlowResult(flow: ChildTask): Promise<IngestResult> {
  let results: SyncFlowResult;
  try {
    results = (await flow.result()) as SyncFlowResult;
  } catch (error) {
    if (!(error instanceof ChildTaskError)) throw error;
    const cause = (error.error?.data as { cause?: WireError } | undefined)?.cause;
    if (cause?.kind !== undefined && cause.problem !== undefined) throw fromWire(cause);
    throw new TaskFailure(error.error?.message ?? error.message, { ...(error.error && { code: error.error.code }), retryable: false });
  }
  const merged = emptyResult(results.discover);
  for (const part of [results.discover, ...results.fetch]) mergeResult(merged, part);
  return merged;
}

/**
 * Runs one step in the task's run, its progress forwarded. A passing failure is retried by the
 * engine (after the source's Retry-After); a knowledge-base error fails the step, its error kept
 * as the failure's data for {@link syncFlowResult}.
 */
async function runStep<T>(
  kb: Pick<KnowledgeBaseHandle, 'get'>,
  input: SyncFlowInput,
  ctx: TaskContext,
  body: (base: KnowledgeBase, run: RunOptions) => Promise<T>,
): Promise<T> {
  const base = await kb.get();
  const { settled, ...progress } = forwardProgress(ctx);
  try {
    const result = await body(base, { ...progress, task: { id: input.task } });
    // Written before the step's task completes: a report still on its way would be refused after.
    await settled();
    return result;
  } catch (error) {
    const failure = await asRetry(error, ctx.signal);
    if (failure instanceof KnowledgeBaseError)
      throw new TaskFailure(failure.message, { code: failure.code, data: toWire(failure), retryable: false });
    throw failure;
  }
}
