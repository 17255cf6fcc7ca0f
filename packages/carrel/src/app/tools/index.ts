/**
 * Every carrel tool, in the order `tools/list` shows them. The task tools (`get_task`,
 * `cancel_task`, `list_tasks`) come from `@carrel/tasks/mcp` itself.
 *
 * @module
 */
import type { AnyToolDefinition } from '@carrel/tasks/mcp';
import type { KnowledgeBaseHandle } from '../knowledge-base-handle.js';
import { addConnectorTool } from './add-connector.js';
import { getDocumentTool } from './get-document.js';
import { indexDocumentTool } from './index-document.js';
import { installPackTool } from './install-pack.js';
import { listConnectorsTool } from './list-connectors.js';
import { listDocumentsTool } from './list-documents.js';
import { listLibrariesTool } from './list-libraries.js';
import { listPacksTool } from './list-packs.js';
import { rateChunkTool } from './rate-chunk.js';
import { reindexLibraryTool } from './reindex-library.js';
import { removePackTool } from './remove-pack.js';
import { removeConnectorTool } from './remove-connector.js';
import { scheduleConnectorTool } from './schedule-connector.js';
import { searchTool } from './search.js';
import { showConnectorTool } from './show-connector.js';
import { statusTool } from './status.js';
import { syncConnectorTool } from './sync-connector.js';

/** The tools over one knowledge base. */
export function carrelTools(kb: KnowledgeBaseHandle): AnyToolDefinition[] {
  return [
    searchTool(kb),
    getDocumentTool(kb),
    listDocumentsTool(kb),
    listLibrariesTool(kb),
    indexDocumentTool(kb),
    reindexLibraryTool(kb),
    installPackTool(kb),
    listPacksTool(kb),
    removePackTool(kb),
    syncConnectorTool(kb),
    addConnectorTool(kb),
    listConnectorsTool(kb),
    showConnectorTool(kb),
    scheduleConnectorTool(kb),
    removeConnectorTool(kb),
    rateChunkTool(kb),
    statusTool(kb),
  ];
}
