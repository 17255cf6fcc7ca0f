/**
 * A task-capable MCP tool served to both protocol eras, over HTTP (with bearer tokens) or stdio.
 * Run by packages/tasks/test/docs-examples.test.ts with the official SDK client; quoted in
 * docs/getting-started.md and docs/protocol-eras.md.
 *
 * @module
 */
//#region tool
import { createTaskServer, defineTool, elicit, serveStdio, type McpTaskServer } from '@carrel/tasks/mcp';
import { serveHttp, type HttpEndpoint } from '@carrel/tasks/mcp/http';
import { SqliteTaskStore } from '@carrel/tasks/sqlite';
import { z } from 'zod';

export const archive = defineTool({
  name: 'archive_folder',
  description: 'Archive every file of a folder.',
  inputSchema: z.object({ folder: z.string(), files: z.number().int().min(1).max(1000) }),
  taskMode: 'optional', // 'never' | 'optional' | 'required'
  requiredScopes: ['files:write'], // checked over HTTP with tokens; stdio is the local user's own
  async run({ folder, files }, ctx) {
    // A form elicitation; inside a task it is stored, so a resumed call does not ask twice.
    const answer = await ctx.requestInput<{ action: string; content?: { ok?: boolean } }>(
      'confirm',
      elicit(`Archive ${files} files in ${folder}?`, { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] }),
    );
    if (answer.action !== 'accept' || answer.content?.ok !== true) {
      return { content: [{ type: 'text', text: 'Not archived: the user declined' }], isError: true };
    }
    for (let i = 1; i <= files; i++) {
      ctx.signal.throwIfAborted(); // cancelled, expired or shutting down
      await ctx.progress(i, files, `Archived ${i} of ${files}`);
    }
    return { content: [{ type: 'text', text: `Archived ${files} files from ${folder}` }] };
  },
});
//#endregion

//#region server
/** Starts the engine on a SQLite file and builds the MCP server over it. */
export function createArchiveServer(path: string): Promise<McpTaskServer> {
  return createTaskServer({
    name: 'archiver',
    version: '1.0.0',
    store: new SqliteTaskStore({ path }),
    tools: [archive],
    maxTtlMs: 24 * 3_600_000, // cap on a client's requested retention (default 24 hours)
    rateLimit: { perMinute: 60, burst: 10 }, // task creations per owner on every transport (default: per transport)
    engine: { concurrency: 4 }, // any TaskEngine option
  });
}
//#endregion

//#region http
/** Streamable HTTP on 127.0.0.1: each token is a principal, and tasks belong to it. */
export function serveWithTokens(server: McpTaskServer, tokens: Record<string, string>): Promise<HttpEndpoint> {
  return serveHttp(server, {
    port: 0, // any free port; endpoint.url says which
    tokens: Object.fromEntries(Object.entries(tokens).map(([token, principal]) => [token, { principal, scopes: ['files:write'] }])),
  });
}
//#endregion

//#region stdio
/** stdio: every task belongs to the local user; stop (handing running tasks back) when the client leaves. */
export function serveOnStdio(server: McpTaskServer): void {
  serveStdio(server, { onEnd: () => void server.close({ drainMs: 5_000 }).then(() => server.engine.store.close()) });
}
//#endregion
