/**
 * `schedule_connector`: set the cron schedule a carrel server syncs a connector on, or take it off
 * (`schedule: null`). Each slot runs once across every server on the data dir; slots missed while
 * no server ran are caught up by one sync (see app/scheduler.ts).
 *
 * @module
 */
import { defineTool, type ToolDefinition } from '@carrel/tasks/mcp';
import { z } from 'zod';
import type { KnowledgeBaseHandle } from '../knowledge-base-handle.js';
import { WRITE_SCOPE } from '../scopes.js';
import { renderConnector } from '../render.js';
import { CONNECTOR_NAME } from './connector-name.js';
import { answer, dataResult } from './tool-result.js';

const schema = z.object({
  connector: CONNECTOR_NAME,
  schedule: z
    .string()
    .max(200)
    .nullable()
    .describe('A 5-field cron expression (minute hour day-of-month month day-of-week), e.g. "0 3 * * *"; null takes the schedule off.'),
  timezone: z.string().max(100).optional().describe('The IANA time zone the schedule is read in, e.g. "Europe/Paris" (default UTC).'),
});

/** The `schedule_connector` tool over `kb`. */
export function scheduleConnectorTool(kb: KnowledgeBaseHandle): ToolDefinition<z.infer<typeof schema>> {
  return defineTool({
    name: 'schedule_connector',
    title: 'Schedule a connector',
    description:
      'Set the cron schedule a carrel server syncs a connector on (each time runs once, whatever the number of servers), or take it off with schedule null.',
    inputSchema: schema,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    taskMode: 'never',
    requiredScopes: [WRITE_SCOPE],
    run: (args, ctx) =>
      answer(ctx, async () => {
        const view = await (
          await kb.get()
        ).scheduleConnector(
          args.connector,
          args.schedule === null ? null : { cron: args.schedule, ...(args.timezone !== undefined && { timezone: args.timezone }) },
        );
        const text = view.schedule ? renderConnector(view) : `${view.name} syncs only when asked (no schedule).`;
        return dataResult(text, view);
      }),
  });
}
