/**
 * `list_packs`: the knowledge packs installed, with their version, checksum and document count.
 *
 * @module
 */
import { defineTool, type ToolDefinition } from '@carrel/tasks/mcp';
import { z } from 'zod';
import { libraryLabel } from '../../fix.js';
import type { KnowledgeBaseHandle } from '../knowledge-base-handle.js';
import { READ_SCOPE } from '../scopes.js';
import { FILTER_SHAPE } from './target.js';
import { answer, dataResult } from './tool-result.js';

const schema = z.object({ library: FILTER_SHAPE.library, version: FILTER_SHAPE.version });

/** The `list_packs` tool over `kb`. */
export function listPacksTool(kb: KnowledgeBaseHandle): ToolDefinition<z.infer<typeof schema>> {
  return defineTool({
    name: 'list_packs',
    title: 'List installed packs',
    description: 'List the knowledge packs installed, in every library or in one, with their version and document count.',
    inputSchema: schema,
    annotations: { readOnlyHint: true, openWorldHint: false },
    taskMode: 'never',
    requiredScopes: [READ_SCOPE],
    run: (args, ctx) =>
      answer(ctx, async () => {
        const packs = await (await kb.get()).listPacks(args);
        const lines = packs.map(
          (p) => `- ${p.name}@${p.version} in ${libraryLabel(p.library, p.libraryVersion)}: ${p.documents} documents (sha256 ${p.sha256})`,
        );
        return dataResult(lines.length ? lines.join('\n') : 'No packs installed: install_pack installs one.', { packs });
      }),
  });
}
