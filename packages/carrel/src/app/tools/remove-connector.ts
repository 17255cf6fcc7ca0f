/**
 * `remove_connector`: forget a connector (its options, cursor, secret and cache); its documents
 * stay in the library unless `deleteDocuments` is set.
 *
 * @module
 */
import { defineTool, type ToolDefinition } from '@carrel/tasks/mcp';
import { z } from 'zod';
import type { KnowledgeBaseHandle } from '../knowledge-base-handle.js';
import { WRITE_SCOPE } from '../scopes.js';
import { CONNECTOR_NAME } from './connector-name.js';
import { answer, dataResult } from './tool-result.js';

const schema = z.object({
  connector: CONNECTOR_NAME,
  deleteDocuments: z
    .boolean()
    .optional()
    .describe('Also delete the documents the connector brought into its library (default: keep them).'),
});

/** The `remove_connector` tool over `kb`. */
export function removeConnectorTool(kb: KnowledgeBaseHandle): ToolDefinition<z.infer<typeof schema>> {
  return defineTool({
    name: 'remove_connector',
    title: 'Remove a connector',
    description: 'Remove a connector with its stored secret; its documents stay in the library unless deleteDocuments is true.',
    inputSchema: schema,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    taskMode: 'never',
    requiredScopes: [WRITE_SCOPE],
    run: (args, ctx) =>
      answer(ctx, async () => {
        const removed = await (await kb.get()).removeConnector(args.connector, { deleteDocuments: args.deleteDocuments ?? false });
        const documents = args.deleteDocuments ? `; ${removed.deletedDocuments} documents deleted` : '; its documents are kept';
        return dataResult(`Removed connector ${removed.removed}${documents}`, removed);
      }),
  });
}
