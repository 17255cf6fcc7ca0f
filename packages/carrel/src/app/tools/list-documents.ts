/**
 * `list_documents`: the stored documents, optionally of one library, a page at a time.
 *
 * @module
 */
import { defineTool, type ToolDefinition } from '@carrel/tasks/mcp';
import { z } from 'zod';
import type { KnowledgeBaseHandle } from '../knowledge-base-handle.js';
import { READ_SCOPE } from '../scopes.js';
import { FILTER_SHAPE } from './target.js';
import { answer, dataResult } from './tool-result.js';

const schema = z.object({
  ...FILTER_SHAPE,
  title: z.string().min(1).max(500).optional().describe('Only documents whose title contains these words (any case).'),
  limit: z.number().int().min(1).max(200).optional().describe('Documents per page (default 50).'),
  offset: z.number().int().min(0).optional().describe('Documents to skip, for the next page.'),
});

/** The `list_documents` tool over `kb`. */
export function listDocumentsTool(kb: KnowledgeBaseHandle): ToolDefinition<z.infer<typeof schema>> {
  return defineTool({
    name: 'list_documents',
    title: 'List documents',
    description:
      'List stored documents (id, title, library, source), optionally of one library, under a source prefix or with words in the title, a page at a time.',
    inputSchema: schema,
    annotations: { readOnlyHint: true, openWorldHint: false },
    taskMode: 'never',
    requiredScopes: [READ_SCOPE],
    run: (args, ctx) =>
      answer(ctx, async () => {
        const offset = args.offset ?? 0;
        const page = await (await kb.get()).listDocuments({ ...args, offset, limit: args.limit ?? 50 });
        const lines = page.documents.map(
          (d) => `- ${d.id}: ${d.title} (${d.version ? `${d.library}@${d.version}` : d.library}, ${d.source}, ${d.chunkCount} chunks)`,
        );
        const more = page.hasMore ? `\nMore: offset ${offset + page.documents.length}.` : '';
        return dataResult(lines.length ? lines.join('\n') + more : 'No documents.', { ...page, offset });
      }),
  });
}
