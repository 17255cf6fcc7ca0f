/**
 * `sync_connector`: bring a connector's library in step with its source (new and changed items
 * indexed, unchanged ones untouched, deleted ones removed). As a task, the sync's discovery and
 * fetch batches run as a workflow of child tasks (`app/sync-workflow.ts`) and this task publishes
 * what they staged. Task-capable like `index_document`:
 * progress is items done / total, a cancel stops between batches and leaves the library and the
 * connector's cursor as they were, and a second call while a sync of the same connector is live
 * gets that task. A source unavailable for a while (a timeout, a reset, 429 or 5xx) is tried
 * again; a refusal or bad content is not. A source that wants a token the connector lacks, or
 * refused its token, makes the task ask its client for one (token-request.ts).
 *
 * @module
 */
import { defineTool, type ToolDefinition } from '@carrel/tasks/mcp';
import { z } from 'zod';
import type { KnowledgeBaseHandle } from '../knowledge-base-handle.js';
import { WRITE_SCOPE } from '../scopes.js';
import { SYNC_WORKFLOW, syncFlowResult, type SyncFlowInput } from '../sync-workflow.js';
import { CONNECTOR_NAME } from './connector-name.js';
import { syncAskingForToken } from './token-request.js';
import { writeAnswer } from './tool-result.js';

const schema = z.object({ connector: CONNECTOR_NAME });

/** Attempts of a sync whose source is unavailable for a while (or whose process died). */
const SYNC_ATTEMPTS = 5;

/** The `sync_connector` tool over `kb`. */
export function syncConnectorTool(kb: KnowledgeBaseHandle): ToolDefinition<z.infer<typeof schema>> {
  return defineTool({
    name: 'sync_connector',
    title: 'Sync a connector',
    description:
      "Bring a connector's library in step with its source: new and changed files are indexed, unchanged ones left alone, deleted ones removed. Runs as a task; a second call while one runs returns that task.",
    inputSchema: schema,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
    taskMode: 'optional',
    requiredScopes: [WRITE_SCOPE],
    maxAttempts: SYNC_ATTEMPTS,
    uniqueKey: (args) => args.connector,
    about: (args) => `connector ${args.connector}`,
    run: (args, ctx) =>
      writeAnswer(ctx, kb, (base, run) =>
        syncAskingForToken(ctx, base, args.connector, async (afterToken) => {
          // Inside a request (no task to hang steps on) the steps run here, one after the other.
          if (ctx.spawn === null || ctx.taskId === null) return base.syncConnector(args.connector, run);
          // Under a key: a re-run of this task after a crash finds the workflow it started, which resumes its unfinished steps.
          const flow = await ctx.spawn(SYNC_WORKFLOW, { connector: args.connector, task: ctx.taskId } satisfies SyncFlowInput, {
            key: afterToken ? 'sync-after-token' : 'sync',
          });
          return base.applySync(args.connector, { runId: null, result: await syncFlowResult(flow) }, run);
        }),
      ),
  });
}
