/**
 * The carrel MCP server over a runtime: its tools, the task tools, both protocol eras. Transports
 * (`serveStdio`, `serveHttp` in `index.ts`) are started by the commands `carrel mcp` and `carrel serve`.
 *
 * @module
 */
import { McpTaskServer } from '@carrel/tasks/mcp';
import { CARREL_VERSION } from '../app/version.js';
import type { CarrelRuntime } from '../app/runtime.js';
import { TASK_SCOPES } from '../app/scopes.js';

const INSTRUCTIONS = [
  'Carrel is a documentation knowledge base.',
  'Use search to find passages (it returns document and chunk ids), get_document to read a whole document page by page, list_libraries and list_documents to see what is indexed.',
  'Add documentation with index_document (url, path or content + title, and a library name); rate_chunk tells Carrel whether a result helped.',
  'index_document and reindex_library can take a while: pass async: true to get a task id at once and follow it with get_task.',
].join(' ');

/** The MCP server over the runtime's engine and tools. */
export function createCarrelServer(runtime: CarrelRuntime, retention: { defaultTtlMs?: number; maxTtlMs?: number } = {}): McpTaskServer {
  return new McpTaskServer({
    ...retention,
    name: 'carrel',
    version: CARREL_VERSION,
    instructions: INSTRUCTIONS,
    engine: runtime.engine,
    tools: runtime.tools,
    taskScopes: TASK_SCOPES,
  });
}
