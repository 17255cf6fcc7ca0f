/**
 * `get_document`: a document's text, paged so a long one never floods the model's context.
 *
 * @module
 */
import { defineTool, type ToolDefinition } from '@carrel/tasks/mcp';
import { z } from 'zod';
import type { KnowledgeBaseHandle } from '../knowledge-base-handle.js';
import { READ_SCOPE } from '../scopes.js';
import { renderLinks } from '../render.js';
import { answer, dataResult } from './tool-result.js';

const schema = z.object({
  documentId: z.number().int().positive().describe('The document id (from search or list_documents).'),
  offset: z.number().int().min(0).optional().describe('Character offset to start from (nextOffset of the previous page).'),
  maxChars: z.number().int().min(200).max(100_000).optional().describe('Characters per page (default 20000).'),
  links: z
    .boolean()
    .optional()
    .describe("Also list the targets of the document's links after the text (an HTML document's text keeps only the link text)."),
});

/** The `get_document` tool over `kb`. */
export function getDocumentTool(kb: KnowledgeBaseHandle): ToolDefinition<z.infer<typeof schema>> {
  return defineTool({
    name: 'get_document',
    title: 'Read a document',
    description: 'Read a stored document by id, one page at a time; continue with offset = nextOffset until it is null.',
    inputSchema: schema,
    annotations: { readOnlyHint: true, openWorldHint: false },
    taskMode: 'never',
    requiredScopes: [READ_SCOPE],
    run: (args, ctx) =>
      answer(ctx, async () => {
        const page = await (
          await kb.get()
        ).getDocument(args.documentId, {
          offset: args.offset ?? 0,
          maxChars: args.maxChars ?? 20_000,
          links: args.links ?? false,
        });
        const end = page.offset + page.content.length;
        const header = `# ${page.title}\n(document ${page.id}, ${page.version ? `${page.library}@${page.version}` : page.library}, source ${page.source}; characters ${page.offset}-${end} of ${page.totalChars})`;
        const more = page.nextOffset === null ? '' : `\n\n[continues: call get_document with offset ${page.nextOffset}]`;
        const links = page.links ? `\n\n${renderLinks(page.links)}` : '';
        return dataResult(`${header}\n\n${page.content}${more}${links}`, page);
      }),
  });
}
