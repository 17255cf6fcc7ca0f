/**
 * `show_connector`: one connector's configuration, cursor, last sync, schedule and next run; its
 * secret masked.
 *
 * @module
 */
import { defineTool, type ToolDefinition } from '@carrel/tasks/mcp';
import { z } from 'zod';
import type { KnowledgeBaseHandle } from '../knowledge-base-handle.js';
import { READ_SCOPE } from '../scopes.js';
import { renderConnector } from '../render.js';
import { CONNECTOR_NAME } from './connector-name.js';
import { answer, dataResult } from './tool-result.js';

const schema = z.object({ connector: CONNECTOR_NAME });

/** The `show_connector` tool over `kb`. */
export function showConnectorTool(kb: KnowledgeBaseHandle): ToolDefinition<z.infer<typeof schema>> {
  return defineTool({
    name: 'show_connector',
    title: 'Show a connector',
    description: "Show a connector's options, where its last sync left off and how it went, its schedule and next run.",
    inputSchema: schema,
    annotations: { readOnlyHint: true, openWorldHint: false },
    taskMode: 'never',
    requiredScopes: [READ_SCOPE],
    run: (args, ctx) =>
      answer(ctx, async () => {
        const view = await (await kb.get()).showConnector(args.connector);
        return dataResult(renderConnector(view, { detailed: true }), view);
      }),
  });
}
