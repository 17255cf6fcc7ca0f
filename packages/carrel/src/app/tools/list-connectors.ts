/**
 * `list_connectors`: the configured connectors with their library, last sync, document count,
 * schedule and next run; secrets masked.
 *
 * @module
 */
import { defineTool, type ToolDefinition } from '@carrel/tasks/mcp';
import { z } from 'zod';
import type { KnowledgeBaseHandle } from '../knowledge-base-handle.js';
import { READ_SCOPE } from '../scopes.js';
import { renderConnector } from '../render.js';
import { answer, dataResult } from './tool-result.js';

const schema = z.object({});

/** The `list_connectors` tool over `kb`. */
export function listConnectorsTool(kb: KnowledgeBaseHandle): ToolDefinition<z.infer<typeof schema>> {
  return defineTool({
    name: 'list_connectors',
    title: 'List connectors',
    description:
      'List the configured connectors (folders, git repositories, web sites) with their library, last sync and its outcome, document count, schedule and next run.',
    inputSchema: schema,
    annotations: { readOnlyHint: true, openWorldHint: false },
    taskMode: 'never',
    requiredScopes: [READ_SCOPE],
    run: (_args, ctx) =>
      answer(ctx, async () => {
        const connectors = await (await kb.get()).listConnectors();
        const text = connectors.length
          ? connectors.map((c) => `- ${renderConnector(c)}`).join('\n')
          : 'No connectors yet: add one with add_connector.';
        return dataResult(text, { connectors });
      }),
  });
}
