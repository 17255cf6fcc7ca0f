/**
 * `reindex_library`: embed every chunk of a library that lacks a vector, switching the library to
 * the current embedder first if it was built with another. Task-capable like `index_document`.
 *
 * @module
 */
import { defineTool, type ToolDefinition } from '@carrel/tasks/mcp';
import { z } from 'zod';
import { libraryLabel } from '../../fix.js';
import type { KnowledgeBaseHandle } from '../knowledge-base-handle.js';
import { WRITE_SCOPE } from '../scopes.js';
import { writeAnswer } from './tool-result.js';
import { LIBRARY_SHAPE } from './target.js';

const schema = z.object(LIBRARY_SHAPE);

/** The `reindex_library` tool over `kb`. */
export function reindexLibraryTool(kb: KnowledgeBaseHandle): ToolDefinition<z.infer<typeof schema>> {
  return defineTool({
    name: 'reindex_library',
    title: 'Reindex a library',
    description:
      'Embed the chunks of a library that have no vector yet (e.g. indexed while the semantic model was unavailable), or rebuild it for a new embedding model.',
    inputSchema: schema,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    taskMode: 'optional',
    requiredScopes: [WRITE_SCOPE],
    about: (args) => libraryLabel(args.library, args.version ?? ''),
    run: (args, ctx) => writeAnswer(ctx, kb, (base, run) => base.reindexLibrary(args.library, args.version, run)),
  });
}
