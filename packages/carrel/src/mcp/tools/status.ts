/**
 * `status`: where the data lives, whether semantic search is available (and why not), and the
 * size of each library.
 *
 * @module
 */
import { defineTool, type ToolDefinition } from '@carrel/tasks/mcp';
import { z } from 'zod';
import type { KnowledgeBaseStatus } from '../../knowledge-base.js';
import type { KnowledgeBaseHandle } from '../knowledge-base-handle.js';
import { answer, dataResult } from '../tool-result.js';

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
    run: (_args, ctx) =>
      answer(ctx, async () => {
        const status = await (await kb.get()).status();
        return dataResult(renderStatus(status), status);
      }),
  });
}

/** Status as a few lines of text. */
export function renderStatus(status: KnowledgeBaseStatus): string {
  const search = status.embedder.available ? `hybrid (keyword + semantic, ${status.embedder.id})` : `keyword only (BM25): ${status.embedder.reason ?? 'no semantic model'}`;
  const docs = status.libraries.reduce((n, l) => n + l.documents, 0);
  const pending = status.libraries.reduce((n, l) => n + l.chunksWithoutVectors, 0);
  return [
    `Data: ${status.dataDir}`,
    `Search: ${search}`,
    `Libraries: ${status.libraries.length}, documents: ${docs}${pending ? `, chunks without vectors: ${pending} (run reindex_library)` : ''}`,
  ].join('\n');
}
