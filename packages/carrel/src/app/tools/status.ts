/**
 * `status`: where the data lives, whether semantic search is available (and why not), and the
 * size of each library.
 *
 * @module
 */
import { defineTool, type ToolDefinition } from '@carrel/tasks/mcp';
import { z } from 'zod';
import type { KnowledgeBaseHandle } from '../knowledge-base-handle.js';
import { READ_SCOPE } from '../scopes.js';
import { renderStatus } from '../render.js';
import { answer, dataResult } from './tool-result.js';
import { toolFix } from './tool-fix.js';

const schema = z.object({});

/** The `status` tool over `kb`. */
export function statusTool(kb: KnowledgeBaseHandle): ToolDefinition<z.infer<typeof schema>> {
  return defineTool({
    name: 'status',
    title: 'Knowledge base status',
    description: 'Show the data directory, whether semantic search is available (and why not), and per-library counts.',
    inputSchema: schema,
    annotations: { readOnlyHint: true, openWorldHint: false },
    taskMode: 'never',
    requiredScopes: [READ_SCOPE],
    run: (_args, ctx) =>
      answer(ctx, async () => {
        const status = await (await kb.get()).status();
        return dataResult(renderStatus(status, toolFix), status);
      }),
  });
}
