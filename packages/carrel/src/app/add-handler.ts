/**
 * The task handler behind `carrel add`. It runs the `index_document` tool, but with the path the
 * person typed added to the allowed roots: naming a folder on the command line is the consent
 * that an MCP client's request is not. Only the CLI creates tasks for this handler (the MCP layer
 * creates `mcp.tool:*` tasks only), and every carrel process registers it, so whichever process
 * claims or resumes an `add` reads the same path with the same permission.
 *
 * @module
 */
import { resolve } from 'node:path';
import type { AnyTaskHandler, TaskHandlerDefinition } from '@carrel/tasks';
import { toolTaskHandlers, type ToolTaskInput } from '@carrel/tasks/mcp';
import { KnowledgeBaseHandle } from './knowledge-base-handle.js';
import { indexDocumentTool } from './tools/index-document.js';
import { knowledgeBaseOptions, type Settings } from './settings.js';

/** The engine handler name of `carrel add`. */
export const ADD_HANDLER = 'cli:add';

/** `carrel add` as an engine handler over the settings of the process that runs it. */
export function addHandler(settings: Settings): AnyTaskHandler {
  return {
    maxAttempts: 3,
    run: async (input: ToolTaskInput, ctx) => {
      const { path } = input.arguments as { path?: string };
      const roots = path === undefined ? settings.allowedRoots : [...settings.allowedRoots, resolve(path)];
      const kb = new KnowledgeBaseHandle({ ...knowledgeBaseOptions(settings), allowedRoots: roots });
      try {
        const handler = Object.values(toolTaskHandlers([indexDocumentTool(kb)]))[0] as TaskHandlerDefinition<ToolTaskInput>;
        return await handler.run(input, ctx);
      } finally {
        await kb.close();
      }
    },
  };
}
