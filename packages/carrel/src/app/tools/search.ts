/**
 * `search`: hybrid (BM25 + vector) search over the indexed documentation, filters applied before
 * candidates are cut. Says so when it ran on keywords only.
 *
 * @module
 */
import { defineTool, type ToolDefinition } from '@carrel/tasks/mcp';
import { z } from 'zod';
import type { KnowledgeBaseHandle } from '../knowledge-base-handle.js';
import { READ_SCOPE } from '../scopes.js';
import { renderSearch } from '../render.js';
import { FILTER_SHAPE } from './target.js';
import { answer, dataResult } from './tool-result.js';
import { toolFix } from './tool-fix.js';

const schema = z.object({
  query: z.string().trim().min(1).max(2000).describe('What to look for, in words.'),
  library: FILTER_SHAPE.library,
  version: FILTER_SHAPE.version,
  tags: z.array(z.string().min(1).max(100)).max(20).optional().describe('Only documents carrying all these tags.'),
  source: FILTER_SHAPE.source,
  minRating: z.number().min(1).max(5).optional().describe('Only documents rated at least this on average (1-5).'),
  limit: z.number().int().min(1).max(100).optional().describe('Results per page (default 10).'),
  offset: z.number().int().min(0).max(1000).optional().describe('Results to skip, for the next page.'),
});

/** The `search` tool over `kb`. */
export function searchTool(kb: KnowledgeBaseHandle): ToolDefinition<z.infer<typeof schema>> {
  return defineTool({
    name: 'search',
    title: 'Search the documentation',
    description:
      'Search indexed documentation (keyword and semantic, fused). Returns ranked chunks with their document and chunk ids; use get_document to read more and rate_chunk to say whether a result helped.',
    inputSchema: schema,
    annotations: { readOnlyHint: true, openWorldHint: false },
    taskMode: 'never',
    requiredScopes: [READ_SCOPE],
    run: (args, ctx) =>
      answer(ctx, async () => {
        const response = await (await kb.get()).search(args);
        return dataResult(renderSearch(response, toolFix), response);
      }),
  });
}
