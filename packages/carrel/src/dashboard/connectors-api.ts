/**
 * `/dashboard/api/connectors`: each connector's schedule and last sync, and "sync now", which
 * starts (or joins, as the tool does) the `sync_connector` task of the session's owner. Never a
 * connector's secret, not even masked.
 *
 * @module
 */
import type { TaskEngine } from '@carrel/tasks';
import { toolHandlerName, toolUniqueKey, type AnyToolDefinition, type ToolTaskInput } from '@carrel/tasks/mcp';
import { Hono } from 'hono';
import type { KnowledgeBaseHandle } from '../app/knowledge-base-handle.js';
import type { ConnectorView } from '../connectors/configs.js';
import { requireAct, type DashboardEnv } from './guard.js';
import { taskRow } from './task-view.js';

const SYNC_TOOL = 'sync_connector';
/** A sync task started here is kept a day, as a scheduled one is. */
const SYNC_TTL_MS = 24 * 60 * 60_000;

/** The connectors routes. */
export function connectorsApi(kb: KnowledgeBaseHandle, engine: TaskEngine, tools: readonly AnyToolDefinition[]): Hono<DashboardEnv> {
  const syncTool = tools.find((tool) => tool.name === SYNC_TOOL);
  if (!syncTool) throw new Error(`No ${SYNC_TOOL} tool for the dashboard's "sync now"`);
  return new Hono<DashboardEnv>()
    .get('/connectors', async (c) => c.json({ connectors: (await (await kb.get()).listConnectors()).map(connectorRow) }))
    .post('/connectors/:name/sync', async (c) => {
      const { owner } = requireAct(c);
      const name = (await (await kb.get()).showConnector(c.req.param('name'))).name;
      const args = { connector: name };
      const uniqueKey = toolUniqueKey(syncTool, args);
      const { task } = await engine.create({
        handler: toolHandlerName(SYNC_TOOL),
        input: { arguments: args, answers: {} } satisfies ToolTaskInput,
        owner,
        ttlMs: SYNC_TTL_MS,
        ...(syncTool.maxAttempts !== undefined && { maxAttempts: syncTool.maxAttempts }),
        ...(uniqueKey !== undefined && { uniqueKey }),
      });
      return c.json({ task: taskRow(task) }, 202);
    });
}

/** What the page shows of a connector. */
function connectorRow(view: ConnectorView) {
  return {
    name: view.name,
    kind: view.kind,
    library: view.library,
    version: view.version,
    schedule: view.schedule && `${view.schedule.cron}${view.schedule.timezone ? ` (${view.schedule.timezone})` : ''}`,
    nextRun: view.nextRun === null ? null : Date.parse(view.nextRun),
    lastSync:
      view.lastSync === null
        ? null
        : { at: Date.parse(view.lastSync), ...syncOutcome(view.lastOutcome), taskId: view.lastScheduledRun?.taskId ?? null },
  };
}

/**
 * The counts of a sync that published, read back from the outcome line the sync wrote
 * (`synced: 3 created, 1 updated, 5 unchanged, 2 deleted, 0 failed`); any other line is a failure, told as is.
 */
function syncOutcome(outcome: string | null) {
  const counts = outcome?.match(/^synced: (\d+) created, (\d+) updated, \d+ unchanged, (\d+) deleted/);
  return counts
    ? { status: 'synced', added: Number(counts[1]), updated: Number(counts[2]), deleted: Number(counts[3]), message: outcome }
    : { status: 'failed', added: 0, updated: 0, deleted: 0, message: outcome };
}
