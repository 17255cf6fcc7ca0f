/**
 * `rate_chunk`: say how useful a search result was (1–5, optional feedback). Ratings feed ranking
 * and the `minRating` filter.
 *
 * @module
 */
import { defineTool, type ToolDefinition } from '@carrel/tasks/mcp';
import { z } from 'zod';
import type { KnowledgeBaseHandle } from '../knowledge-base-handle.js';
import { WRITE_SCOPE } from '../scopes.js';
import { answer, dataResult } from './tool-result.js';

const schema = z.object({
  documentId: z.number().int().positive().describe('The document id from a search result.'),
  chunkId: z.number().int().positive().describe('The chunk id from a search result.'),
  rating: z.number().int().min(1).max(5).describe('1 (useless or wrong) to 5 (exactly right).'),
  feedback: z.string().max(2000).optional().describe('What was wrong or missing.'),
});

/** The `rate_chunk` tool over `kb`. */
export function rateChunkTool(kb: KnowledgeBaseHandle): ToolDefinition<z.infer<typeof schema>> {
  return defineTool({
    name: 'rate_chunk',
    title: 'Rate a search result',
    description:
      'Rate how useful a search result (a chunk) was, 1-5, with optional feedback. Ratings raise or lower the document in later searches.',
    inputSchema: schema,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    taskMode: 'never',
    requiredScopes: [WRITE_SCOPE],
    run: (args, ctx) =>
      answer(ctx, async () => {
        const ratingId = await (
          await kb.get()
        ).rate(args.documentId, args.rating, {
          chunkId: args.chunkId,
          ...(args.feedback !== undefined && { comment: args.feedback }),
        });
        return dataResult(`Recorded rating ${args.rating} for chunk ${args.chunkId} of document ${args.documentId}.`, {
          ratingId,
          ...args,
        });
      }),
  });
}
