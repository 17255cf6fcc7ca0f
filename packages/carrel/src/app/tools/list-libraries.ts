/**
 * `list_libraries`: every library with its version, document and chunk counts, and embedder.
 *
 * @module
 */
import { defineTool, type ToolDefinition } from '@carrel/tasks/mcp';
import { z } from 'zod';
import type { KnowledgeBaseHandle } from '../knowledge-base-handle.js';
import { READ_SCOPE } from '../scopes.js';
import { answer, dataResult } from './tool-result.js';

const schema = z.object({});

/** The `list_libraries` tool over `kb`. */
export function listLibrariesTool(kb: KnowledgeBaseHandle): ToolDefinition<z.infer<typeof schema>> {
  return defineTool({
    name: 'list_libraries',
    title: 'List libraries',
    description: 'List the indexed libraries with their versions, document and chunk counts, and the embedding model each was built with.',
    inputSchema: schema,
    annotations: { readOnlyHint: true, openWorldHint: false },
    taskMode: 'never',
    requiredScopes: [READ_SCOPE],
    run: (_args, ctx) =>
      answer(ctx, async () => {
        const { libraries } = await (await kb.get()).status();
        const lines = libraries.map(
          (l) =>
            `- ${l.version ? `${l.name}@${l.version}` : l.name}: ${l.documents} documents, ${l.chunks} chunks${l.embedder ? `, embedded with ${l.embedder}` : ''}`,
        );
        return dataResult(lines.length ? lines.join('\n') : 'No libraries yet: index a document first.', { libraries });
      }),
  });
}
