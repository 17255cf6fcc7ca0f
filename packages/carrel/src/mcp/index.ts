/**
 * The MCP face of carrel: its server over a runtime, on stdio or Streamable HTTP. The program's
 * entry hands this module to the commands that start it (see `app/faces.ts`).
 *
 * @module
 */
import { serveStdio as serveTasksStdio } from '@carrel/tasks/mcp';
import type { CreationRateLimit, HttpEndpoint, HttpServeOptions, McpFace } from '../app/faces.js';
import type { CarrelRuntime } from '../app/runtime.js';
import { CARREL_SCOPES } from '../app/scopes.js';
import { createCarrelServer } from './server.js';

/** Serves MCP on stdio; tasks belong to the local user, as they do for the CLI. */
async function serveStdio(
  runtime: CarrelRuntime,
  { signal, opening, rateLimit }: { signal: AbortSignal; opening?: () => Promise<void>; rateLimit?: CreationRateLimit | null },
): Promise<void> {
  const server = createCarrelServer(runtime);
  await new Promise<void>((resolve) => {
    serveTasksStdio(server, {
      owner: runtime.settings.owner,
      onEnd: resolve,
      ...(opening && { opening }),
      ...(rateLimit !== undefined && { rateLimit }),
    });
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/**
 * Serves MCP over Streamable HTTP. The HTTP stack is imported only here: stdio servers never load it.
 * Without tokens or an authorization server the endpoint is the local user's open one, whose callers
 * may do everything: scopes only narrow what a token's holder may do.
 */
async function serveHttp(runtime: CarrelRuntime, options: HttpServeOptions): Promise<HttpEndpoint> {
  const { serveHttp: serveTasksHttp } = await import('@carrel/tasks/mcp/http');
  const { defaultTtlMs, maxTtlMs, oauth, ...http } = options;
  const server = createCarrelServer(runtime, {
    ...(defaultTtlMs !== undefined && { defaultTtlMs }),
    ...(maxTtlMs !== undefined && { maxTtlMs }),
  });
  return serveTasksHttp(server, {
    ...http,
    ...(oauth && { oauth: { ...oauth, scopesSupported: CARREL_SCOPES, resourceName: 'Carrel' } }),
    unauthenticatedScopes: CARREL_SCOPES,
    ...(maxTtlMs !== undefined && { unauthenticatedMaxTtlMs: maxTtlMs }),
  });
}

/** The MCP face. */
export const mcpFace: McpFace = { serveStdio, serveHttp };
