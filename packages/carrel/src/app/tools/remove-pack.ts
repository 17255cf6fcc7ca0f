/**
 * `remove_pack`: take a knowledge pack out of a library: the documents it brought and its record
 * go together; the library's other documents stay.
 *
 * @module
 */
import { defineTool, type ToolDefinition } from '@carrel/tasks/mcp';
import { z } from 'zod';
import { libraryLabel } from '../../fix.js';
import type { KnowledgeBaseHandle } from '../knowledge-base-handle.js';
import { WRITE_SCOPE } from '../scopes.js';
import { LIBRARY_SHAPE } from './target.js';
import { answer, dataResult } from './tool-result.js';

const schema = z.object({ name: z.string().min(1).max(100).describe('The pack to remove, as list_packs names it.'), ...LIBRARY_SHAPE });

/** The `remove_pack` tool over `kb`. */
export function removePackTool(kb: KnowledgeBaseHandle): ToolDefinition<z.infer<typeof schema>> {
  return defineTool({
    name: 'remove_pack',
    title: 'Remove a knowledge pack',
    description: 'Remove an installed knowledge pack from a library: its documents and its record. Other documents of the library stay.',
    inputSchema: schema,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    taskMode: 'never',
    requiredScopes: [WRITE_SCOPE],
    run: (args, ctx) =>
      answer(ctx, async () => {
        const { removed } = await (await kb.get()).removePack(args.name, args);
        const where = libraryLabel(args.library, args.version ?? '');
        return dataResult(`Removed pack ${args.name} from ${where}: ${removed} documents`, { name: args.name, removed });
      }),
  });
}
