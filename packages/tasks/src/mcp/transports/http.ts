/**
 * Streamable HTTP for both eras on one endpoint. In front of everything: DNS-rebinding protection
 * (Host and Origin allowlists; 127.0.0.1 by default), authentication (`http-auth.ts`: static bearer
 * tokens mapped to principals with scopes, OAuth access tokens, the protected resource metadata at
 * its well-known paths), a JSON content-type check, the scope challenge and a body size limit. Then
 * the SDK's `isLegacyRequest` (its word for 2025-11-25 traffic) routes a request to the sessionful
 * 2025-11-25 leg (`rev2025-11-25/http-sessions.ts`), and the rest goes to the SDK's stateless
 * 2026-07-28 handler.
 *
 * Other paths on the same server and port are the embedding application's routes (`http-routes.ts`):
 * they come after the Host and Origin checks and before authentication, which each route does its own way.
 *
 * Owners: with tokens or OAuth configured every request is a principal's, and tasks are bound to it.
 * With neither nothing identifies callers: all share one owner, the 128-bit task id is the only
 * capability, `tasks/list` and `list_tasks` are not offered, and retention is capped shorter.
 *
 * @module
 */
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toNodeHandler } from '@modelcontextprotocol/node';
import {
  createMcpHandler,
  hostHeaderValidationResponse,
  isJsonContentType,
  isLegacyRequest,
  localhostAllowedHostnames,
  originValidationResponse,
  validateHostHeader,
  validateOriginHeader,
} from '@modelcontextprotocol/server';
import { InvalidArgumentError } from '../../errors.js';
import type { Serving } from '../model.js';
import type { RateLimit } from '../rate-limit.js';
import { HttpSessions } from '../rev2025-11-25/http-sessions.js';
import type { McpTaskServer } from '../server.js';
import type { OAuthOptions } from './access-tokens.js';
import type { TokenGrant } from './bearer-tokens.js';
import { HttpAuth } from './http-auth.js';
import { dispatchRoutes, routeContext, type HttpRoute } from './http-routes.js';

export type { OAuthOptions } from './access-tokens.js';
export type { TokenGrant } from './bearer-tokens.js';
export type { HttpRoute, HttpRouteContext, TokenIdentity, TokenRejection } from './http-routes.js';

export interface HttpOptions {
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (default 0: any free port). */
  port?: number;
  /** Endpoint path (default `/mcp`). */
  path?: string;
  /** Host names accepted in `Host` and `Origin` besides localhost, 127.0.0.1, [::1] and the OAuth audience's host. */
  allowedHosts?: readonly string[];
  /** Bearer token → principal. Without tokens (and without `oauth`) the endpoint is unauthenticated. */
  tokens?: Record<string, TokenGrant>;
  /** Accept OAuth access tokens from these authorization servers: the endpoint is an OAuth 2.1 resource server. */
  oauth?: OAuthOptions;
  /** The scopes every caller holds when the endpoint is unauthenticated (default none: tools that require scopes are refused). */
  unauthenticatedScopes?: readonly string[];
  /** Largest request body in bytes (default 1 MiB); larger bodies get 413. */
  maxRequestBodySize?: number;
  /** Retention cap when unauthenticated (default 1 hour). */
  unauthenticatedMaxTtlMs?: number;
  /** 2025-era sessions kept at once, all principals together (default 1000): a memory bound. */
  maxSessions?: number;
  /** 2025-era sessions one token's principal keeps at once (default 100); beyond it, its own oldest is closed. */
  maxSessionsPerPrincipal?: number;
  /** A 2025-era session unused for this long is closed (default 30 minutes). */
  sessionIdleMs?: number;
  /**
   * Begins the id of every 2025-era session this server opens, then a dot (`n1.<uuid>`): letters,
   * digits and `-`, at most 32. A 2025-era session lives in the process that opened it, so behind a
   * load balancer each node gets its own prefix and the balancer routes a request carrying an
   * `Mcp-Session-Id` by it (docs/deployment.md). 2026-07-28 requests carry no session: any node serves them.
   */
  sessionIdPrefix?: string;
  /**
   * Task creations per owner; null for none. Default: the server's `rateLimit`, else
   * `AUTHENTICATED_RATE_LIMIT` per principal with tokens, `UNAUTHENTICATED_RATE_LIMIT` without.
   */
  rateLimit?: RateLimit | null;
  /**
   * The application's own paths on this server and port (e.g. `/healthz`, a dashboard), asked in
   * order for any request off the endpoint's path that passed the Host and Origin checks. Each route
   * authenticates as it sees fit, through its context. Served by `serveHttp` only: the fetch handler
   * of `createHttpHandler` is mounted in someone else's server, whose routes are its own.
   */
  routes?: readonly HttpRoute[];
}

/** With tokens each principal is one owner with a bucket of its own: 120 creations a minute, bursts of 30. */
export const AUTHENTICATED_RATE_LIMIT: RateLimit = { perMinute: 120, burst: 30 };

/**
 * Without tokens every client is the one shared owner, so a per-owner limit meant for one client
 * throttles all of them together (150 clients starting 3 tasks each waited 210 s under 120 a
 * minute). Nothing on this endpoint tells clients apart to key a bucket by: it listens on loopback
 * by default, where every client has the same address; 2025 session ids are free to mint and 2026
 * requests carry none; `clientInfo` is whatever the client says. So the shared bucket is wide
 * instead: 1,200 a minute with bursts of 600, enough for hundreds of local clients starting tasks
 * at once, while still bounding the write rate of a runaway one. What they can hold at once is
 * bounded separately by the engine's live-task cap per owner (`maxLiveTasksPerOwner`).
 */
export const UNAUTHENTICATED_RATE_LIMIT: RateLimit = { perMinute: 1_200, burst: 600 };

export interface HttpEndpoint {
  /** The endpoint URL, e.g. `http://127.0.0.1:41234/mcp`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The user-facing face: a fetch handler with the protections, for hosting it elsewhere. */
export function createHttpHandler(
  server: McpTaskServer,
  options: Omit<HttpOptions, 'host' | 'port' | 'routes'> = {},
): { fetch(request: Request): Promise<Response>; close(): Promise<void> } {
  return protectedHandler(server, options, frontDoor(options));
}

/** What every path on the server shares: the hosts it answers to and who its callers are. */
interface FrontDoor {
  hosts: string[];
  auth: HttpAuth;
}

function frontDoor(options: Omit<HttpOptions, 'host' | 'port'>): FrontDoor {
  return {
    // A resource server is reached by the name in its canonical URI (behind a proxy, or on its own): that host is allowed too.
    hosts: [
      ...localhostAllowedHostnames(),
      ...(options.allowedHosts ?? []),
      ...(options.oauth ? [new URL(options.oauth.audience).hostname] : []),
    ],
    auth: new HttpAuth({ tokens: options.tokens, oauth: options.oauth, path: options.path ?? '/mcp' }),
  };
}

function protectedHandler(
  server: McpTaskServer,
  options: Omit<HttpOptions, 'host' | 'port' | 'routes'>,
  { hosts, auth }: FrontDoor,
): { fetch(request: Request): Promise<Response>; close(): Promise<void> } {
  const path = options.path ?? '/mcp';
  const maxRequestBodySize = options.maxRequestBodySize ?? 1024 * 1024;
  const serving: Serving = auth.required
    ? {
        defaultOwner: 'unauthenticated',
        bound: true,
        session: false,
        rateLimit: options.rateLimit,
        defaultRateLimit: AUTHENTICATED_RATE_LIMIT,
      }
    : {
        defaultOwner: ANONYMOUS_OWNER,
        bound: false,
        session: false,
        ...(options.unauthenticatedScopes && { scopes: options.unauthenticatedScopes }),
        maxTtlMs: options.unauthenticatedMaxTtlMs ?? 3_600_000,
        rateLimit: options.rateLimit,
        defaultRateLimit: UNAUTHENTICATED_RATE_LIMIT,
      };
  // The SDK's stateless handler serves 2026-07-28 only: 2025-11-25 traffic never reaches it.
  const rev2026 = createMcpHandler(server.factory(serving), { legacy: 'reject', maxRequestBodySize });
  const rev2025 = new HttpSessions(server, {
    serving: { ...serving, session: true },
    maxRequestBodySize,
    ...(options.maxSessions !== undefined && { maxSessions: options.maxSessions }),
    ...(options.maxSessionsPerPrincipal !== undefined && { maxSessionsPerPrincipal: options.maxSessionsPerPrincipal }),
    ...(options.sessionIdleMs !== undefined && { sessionIdleMs: options.sessionIdleMs }),
    ...(options.sessionIdPrefix !== undefined && { sessionIdPrefix: checkedSessionIdPrefix(options.sessionIdPrefix) }),
  });

  const fetch = async (request: Request): Promise<Response> => {
    const { pathname } = new URL(request.url);
    const metadata = auth.metadata(pathname, request.method);
    if (metadata) return metadata;
    const outside = outsideEndpoint(pathname, request.method, path);
    if (outside) return outside;
    const rejected =
      hostHeaderValidationResponse(request, hosts) ??
      (request.headers.has('origin') ? originValidationResponse(request, hosts) : undefined);
    if (rejected) return rejected;
    const authInfo = auth.required ? await auth.authenticate(request) : undefined;
    if (authInfo instanceof Response) return authInfo;
    if (request.method === 'POST' && !isJsonContentType(request.headers.get('content-type'))) {
      return new Response(
        JSON.stringify({
          jsonrpc: '2.0',
          error: { code: -32700, message: 'Unsupported Media Type: Content-Type must be application/json' },
          id: null,
        }),
        { status: 415, headers: { 'content-type': 'application/json' } },
      );
    }
    if (authInfo) {
      const challenge = await auth.scopeChallenge(request, authInfo, (message) => server.requiredScopes(message), maxRequestBodySize);
      if (challenge) return challenge;
    }
    if (await isLegacyRequest(request, undefined, { maxRequestBodySize })) return rev2025.fetch(request, authInfo);
    return rev2026.fetch(request, { ...(authInfo && { authInfo }) });
  };
  return { fetch, close: async () => void (await Promise.allSettled([rev2026.close(), rev2025.close()])) };
}

/** Listens on 127.0.0.1 (by default) and serves both eras at `path`, and `routes` beside it. */
export async function serveHttp(server: McpTaskServer, options: HttpOptions = {}): Promise<HttpEndpoint> {
  const front = frontDoor(options);
  const handler = protectedHandler(server, options, front);
  const maxRequestBodySize = options.maxRequestBodySize ?? 1024 * 1024;
  const path = options.path ?? '/mcp';
  const routes = options.routes ?? [];
  const unauthenticated = { owner: ANONYMOUS_OWNER, scopes: options.unauthenticatedScopes ?? [] };
  const toFetch = toNodeHandler(handler, { maxRequestBodySize });
  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? '';
    const pathname = pathOf(req);
    if (pathname === undefined) return send(res, new Response('Bad Request: the request target is not a URL path', { status: 400 }));
    if (routes.length > 0 && pathname !== path && !front.auth.servesMetadata(pathname)) {
      const refused = foreignHost(req, front.hosts);
      if (refused) return send(res, refused);
      if (await dispatchRoutes(routes, req, res, routeContext(front.auth, unauthenticated, req.socket.remoteAddress))) return;
    }
    // A fetch Request cannot carry TRACE or TRACK (undici refuses them, and the adapter answered 500),
    // so methods the endpoint does not serve are answered here, before the adapter.
    if (SERVED_METHODS.includes(method)) return toFetch(req, res);
    return send(res, outsideEndpoint(pathname, method, path)!);
  };
  const http: HttpServer = createServer((req, res) => void serve(req, res));
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}${path}`,
    port,
    close: async () => {
      await handler.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** The path of the request's target, or undefined when it is none (`GET http://[ HTTP/1.1` reaches a Node server). */
function pathOf(req: IncomingMessage): string | undefined {
  try {
    return new URL(req.url ?? '/', 'http://localhost').pathname;
  } catch {
    return undefined;
  }
}

/** The owner all callers share when nothing identifies them. */
const ANONYMOUS_OWNER = 'anonymous';

/** The 403 for a request naming a host this server does not answer to (DNS rebinding), as the endpoint gives it. */
function foreignHost(req: IncomingMessage, hosts: string[]): Response | undefined {
  const checks = [
    validateHostHeader(req.headers.host, hosts),
    ...(req.headers.origin ? [validateOriginHeader(req.headers.origin, hosts)] : []),
  ];
  const problem = checks.find((check) => !check.ok);
  return problem && Response.json({ error: { code: 'forbidden_host', message: problem.message } }, { status: 403 });
}

/** POST carries messages; GET (the stream) and DELETE (the end) belong to 2025-11-25 sessions. */
const SERVED_METHODS = ['GET', 'POST', 'DELETE'];

/** 404 off the endpoint's path; 405 with `Allow` (RFC 9110 §15.5.6) for a method it does not serve. */
function outsideEndpoint(pathname: string, method: string, path: string): Response | undefined {
  if (pathname !== path) return new Response('Not Found', { status: 404 });
  if (SERVED_METHODS.includes(method)) return undefined;
  return new Response(
    JSON.stringify({
      jsonrpc: '2.0',
      error: { code: -32000, message: `Method Not Allowed: ${method}; the endpoint serves ${SERVED_METHODS.join(', ')}` },
      id: null,
    }),
    { status: 405, headers: { allow: SERVED_METHODS.join(', '), 'content-type': 'application/json' } },
  );
}

async function send(res: ServerResponse, response: Response): Promise<void> {
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
}

/** A session id is sent back in a header and matched by load balancers' patterns: the prefix stays plain. */
function checkedSessionIdPrefix(prefix: string): string {
  if (!/^[A-Za-z0-9-]{1,32}$/.test(prefix))
    throw new InvalidArgumentError('sessionIdPrefix', 'letters, digits and "-", 1 to 32 characters (a name for this node)');
  return prefix;
}
