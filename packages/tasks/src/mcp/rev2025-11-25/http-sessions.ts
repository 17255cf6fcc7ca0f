/**
 * The sessionful leg for 2025-11-25 HTTP clients. The SDK's stateless 2025-era fallback cannot carry a
 * `tasks/result` side channel (the client's answer to an elicitation arrives on a new POST) or
 * notifications after a call returns, so 2025 traffic goes to a session map instead: one SDK
 * streamable HTTP transport and one `Server` per session, bound to the principal that opened it,
 * and bounded per principal and overall (`session-registry.ts`).
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { specTypeSchemas, WebStandardStreamableHTTPServerTransport, type AuthInfo } from '@modelcontextprotocol/server';
import { invalidParams } from '../errors.js';
import type { Serving } from '../model.js';
import type { McpTaskServer } from '../server.js';
import { SessionRegistry, type SessionEntry } from './session-registry.js';

type Transport = WebStandardStreamableHTTPServerTransport;

/** How the 2025-11-25 sessions of one endpoint serve, and how many stay open. */
export interface HttpSessionsOptions {
  serving: Serving;
  maxRequestBodySize: number;
  /** Sessions kept at once, all principals together (default 1000); see `session-registry.ts` for who loses one beyond it. */
  maxSessions?: number;
  /** Sessions one authenticated principal keeps at once (default 100); beyond it, its own least recently used is closed. */
  maxSessionsPerPrincipal?: number;
  /** A session unused for this long is closed (default 30 minutes); its tasks live on in the store. */
  sessionIdleMs?: number;
  /** Begins every session id this process mints, followed by a dot: which node holds the session, for a load balancer to route by. */
  sessionIdPrefix?: string;
}

/** The 2025-11-25 session map behind one HTTP endpoint. */
export class HttpSessions {
  readonly #sessions: SessionRegistry<Transport>;
  readonly #sweeper: NodeJS.Timeout;

  constructor(
    private readonly server: McpTaskServer,
    private readonly options: HttpSessionsOptions,
  ) {
    this.#sessions = new SessionRegistry({
      maxSessions: options.maxSessions ?? 1000,
      maxSessionsPerPrincipal: options.maxSessionsPerPrincipal ?? 100,
    });
    const idleMs = options.sessionIdleMs ?? 30 * 60_000;
    this.#sweeper = setInterval(() => closeAll(this.#sessions.removeIdle(Date.now() - idleMs)), Math.min(60_000, idleMs));
    this.#sweeper.unref();
  }

  /** Serves a 2025-11-25 request: on its session (only the principal that opened it), or opening one with `initialize`. */
  async fetch(request: Request, authInfo: AuthInfo | undefined): Promise<Response> {
    const principal = authInfo?.clientId ?? null;
    const sessionId = request.headers.get('mcp-session-id');
    if (sessionId !== null) {
      const session = this.#sessions.get(sessionId);
      // Another principal's session is indistinguishable from a missing one.
      if (!session || session.principal !== principal) return jsonRpcError(404, -32001, 'Session not found');
      this.#sessions.touch(session, Date.now());
      return session.value.handleRequest(request, { ...(authInfo && { authInfo }) });
    }
    if (request.method !== 'POST') return jsonRpcError(400, -32000, 'Bad Request: Mcp-Session-Id header is required');
    return this.#open(request, authInfo, principal);
  }

  /** Closes every session. */
  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    await Promise.allSettled(this.#sessions.removeAll().map((s) => s.value.close()));
  }

  async #open(request: Request, authInfo: AuthInfo | undefined, principal: string | null): Promise<Response> {
    const refused = await refuseInvalidInitialize(request);
    if (refused) return refused;
    const transport: Transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () =>
        this.options.sessionIdPrefix === undefined ? randomUUID() : `${this.options.sessionIdPrefix}.${randomUUID()}`,
      maxRequestBodySize: this.options.maxRequestBodySize,
      onsessioninitialized: (id) => closeAll(this.#sessions.add(id, principal, transport, Date.now())),
      onsessionclosed: (id) => this.#sessions.remove(id),
    });
    const server = this.server.build('2025-11-25', this.options.serving);
    transport.onclose = () => {
      if (transport.sessionId) this.#sessions.remove(transport.sessionId);
      void server.close();
    };
    await server.connect(transport);
    // A POST without a session that is not `initialize` is rejected by the transport itself.
    return transport.handleRequest(request, { ...(authInfo && { authInfo }) });
  }
}

function closeAll(sessions: ReadonlyArray<SessionEntry<Transport>>): void {
  for (const session of sessions) void session.value.close();
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
