/**
 * The sessionful leg for 2025-11-25 HTTP clients. The SDK's stateless 2025-era fallback cannot carry a
 * `tasks/result` side channel (the client's answer to an elicitation arrives on a new POST) or
 * notifications after a call returns, so 2025 traffic goes to a session map instead: one SDK
 * streamable HTTP transport and one `Server` per session, bound to the principal that opened it.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { specTypeSchemas, WebStandardStreamableHTTPServerTransport, type AuthInfo } from '@modelcontextprotocol/server';
import { invalidParams } from '../errors.js';
import type { Serving } from '../model.js';
import type { McpTaskServer } from '../server.js';

interface Session {
  transport: WebStandardStreamableHTTPServerTransport;
  principal: string | null;
  lastUsed: number;
}

export interface HttpSessionsOptions {
  serving: Serving;
  maxRequestBodySize: number;
  /** Sessions kept at once; the least recently used is closed beyond this (default 1000). */
  maxSessions?: number;
  /** A session unused for this long is closed (default 30 minutes); its tasks live on in the store. */
  sessionIdleMs?: number;
}

/** The 2025-11-25 session map behind one HTTP endpoint. */
export class HttpSessions {
  readonly #sessions = new Map<string, Session>();
  readonly #sweeper: NodeJS.Timeout;

  constructor(
    private readonly server: McpTaskServer,
    private readonly options: HttpSessionsOptions,
  ) {
    const idleMs = options.sessionIdleMs ?? 30 * 60_000;
    this.#sweeper = setInterval(() => this.#closeIdle(idleMs), Math.min(60_000, idleMs));
    this.#sweeper.unref();
  }

  async fetch(request: Request, authInfo: AuthInfo | undefined): Promise<Response> {
    const principal = authInfo?.clientId ?? null;
    const sessionId = request.headers.get('mcp-session-id');
    if (sessionId !== null) {
      const session = this.#sessions.get(sessionId);
      // Another principal's session is indistinguishable from a missing one.
      if (!session || session.principal !== principal) return jsonRpcError(404, -32001, 'Session not found');
      session.lastUsed = Date.now();
      return session.transport.handleRequest(request, { ...(authInfo && { authInfo }) });
    }
    if (request.method !== 'POST') return jsonRpcError(400, -32000, 'Bad Request: Mcp-Session-Id header is required');
    return this.#open(request, authInfo, principal);
  }

  /** Closes every session. */
  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    await Promise.allSettled([...this.#sessions.values()].map((s) => s.transport.close()));
    this.#sessions.clear();
  }

  async #open(request: Request, authInfo: AuthInfo | undefined, principal: string | null): Promise<Response> {
    const refused = await refuseInvalidInitialize(request);
    if (refused) return refused;
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      maxRequestBodySize: this.options.maxRequestBodySize,
      onsessioninitialized: (id) => {
        this.#sessions.set(id, { transport, principal, lastUsed: Date.now() });
        this.#evict();
      },
      onsessionclosed: (id) => {
        this.#sessions.delete(id);
      },
    });
    const server = this.server.build('2025-11-25', this.options.serving);
    transport.onclose = () => {
      if (transport.sessionId) this.#sessions.delete(transport.sessionId);
      void server.close();
    };
    await server.connect(transport);
    // A POST without a session that is not `initialize` is rejected by the transport itself.
    return transport.handleRequest(request, { ...(authInfo && { authInfo }) });
  }

  #closeIdle(idleMs: number): void {
    const cutoff = Date.now() - idleMs;
    for (const [id, session] of this.#sessions) {
      if (session.lastUsed > cutoff) continue;
      this.#sessions.delete(id);
      void session.transport.close();
    }
  }

  #evict(): void {
    const max = this.options.maxSessions ?? 1000;
    if (this.#sessions.size <= max) return;
    const oldest = [...this.#sessions.entries()].sort((a, b) => a[1].lastUsed - b[1].lastUsed).slice(0, this.#sessions.size - max);
    for (const [id, session] of oldest) {
      this.#sessions.delete(id);
      void session.transport.close();
    }
  }
}

/**
 * -32602 naming the bad field for an `initialize` whose params fail the schema. The SDK transport
 * does not take such a request for an `initialize` and answers -32000 "Server not initialized",
 * which sends the client looking for the wrong mistake.
 */
async function refuseInvalidInitialize(request: Request): Promise<Response | undefined> {
  const message = (await request
    .clone()
    .json()
    .catch(() => undefined)) as { id?: unknown; method?: unknown; params?: unknown } | undefined;
  if (typeof message !== 'object' || message === null || message.method !== 'initialize') return undefined;
  const { issues } = specTypeSchemas.InitializeRequestParams['~standard'].validate(message.params ?? {});
  if (!issues) return undefined;
  const id = typeof message.id === 'string' || typeof message.id === 'number' ? message.id : null;
  return jsonRpcError(400, -32602, invalidParams('initialize', issues).message, id);
}

function jsonRpcError(status: number, code: number, message: string, id: string | number | null = null): Response {
  return new Response(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id }), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}
