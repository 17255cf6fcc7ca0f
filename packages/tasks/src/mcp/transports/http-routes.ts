/**
 * Other paths on the MCP endpoint's server and port (health checks, metrics, a dashboard), served
 * by the embedding application. The transport keeps what protects every path: a request naming a
 * foreign `Host` or `Origin` (DNS rebinding) is refused before any route sees it. Authentication is
 * the route's own (a health check is open, a dashboard keeps a cookie session), so the transport
 * hands it the means: a bearer token is judged exactly as `/mcp` judges one, and the route learns
 * whether the server runs unauthenticated, which owner unauthenticated callers share, and whether
 * the request comes from this machine.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ownerOf } from './bearer-tokens.js';
import type { HttpAuth } from './http-auth.js';

/**
 * Serves one request on a path other than the MCP endpoint's, or declines it. Routes are asked in
 * order; the first to return true has answered the request. When none does, the request gets 404.
 * A route that throws before answering gets a 500 written for it.
 */
export type HttpRoute = (request: IncomingMessage, response: ServerResponse, context: HttpRouteContext) => boolean | Promise<boolean>;

/** What the transport tells a route about the request and the server's authentication. */
export interface HttpRouteContext {
  /**
   * Judges a bearer token (the string alone, without `Bearer `) exactly as the MCP endpoint does: a
   * static token, or an OAuth access token from a trusted authorization server.
   */
  authenticate(token: string): Promise<TokenIdentity | TokenRejection>;
  /** True when the server has neither tokens nor OAuth: nothing identifies callers. */
  readonly unauthenticated: boolean;
  /** The task owner every caller shares when `unauthenticated` (the one the open `/mcp` endpoint gives). */
  readonly unauthenticatedOwner: string;
  /** The scopes every caller holds when `unauthenticated`. */
  readonly unauthenticatedScopes: readonly string[];
  /** Whether the request's remote address is a loopback one (127.0.0.0/8, ::1): a process on this machine. */
  readonly loopback: boolean;
}

/** Who a valid token's holder is. */
export interface TokenIdentity {
  ok: true;
  /** The principal: a static token's name, or an OAuth token's issuer-qualified subject. */
  principal: string;
  /** The task owner the holder acts as, the same one its `/mcp` requests have. */
  owner: string;
  scopes: readonly string[];
  /** When the token stops being valid (epoch ms); absent for static tokens, which do not expire. */
  expiresAt?: number;
}

/**
 * A token that identifies no one: `invalid_token` (unknown, expired, for another audience, badly
 * signed…), or `issuer_unavailable` (its authorization server cannot be reached now; not the
 * token's fault, try again shortly). `message` says what was wrong, without the token.
 */
export interface TokenRejection {
  ok: false;
  reason: 'invalid_token' | 'issuer_unavailable';
  message: string;
}

/** The context of one request. */
export function routeContext(
  auth: HttpAuth,
  unauthenticated: { owner: string; scopes: readonly string[] },
  remoteAddress: string | undefined,
): HttpRouteContext {
  return {
    authenticate: async (token) => {
      const verified = await auth.verify(token);
      if ('refused' in verified) return { ok: false, reason: verified.refused, message: verified.message };
      return {
        ok: true,
        principal: verified.clientId,
        owner: ownerOf(verified),
        scopes: verified.scopes,
        // The SDK's AuthInfo counts seconds; everything else here counts milliseconds.
        ...(verified.expiresAt !== undefined && { expiresAt: verified.expiresAt * 1000 }),
      };
    },
    unauthenticated: !auth.required,
    unauthenticatedOwner: unauthenticated.owner,
    unauthenticatedScopes: unauthenticated.scopes,
    loopback: isLoopback(remoteAddress),
  };
}

/** Asks each route in turn; true once one has answered. A route that throws is answered 500 (or cut off mid-answer). */
export async function dispatchRoutes(
  routes: readonly HttpRoute[],
  request: IncomingMessage,
  response: ServerResponse,
  context: HttpRouteContext,
): Promise<boolean> {
  try {
    for (const route of routes) if (await route(request, response, context)) return true;
    return false;
  } catch (error) {
    console.error('[carrel/tasks http] a route failed:', error);
    if (response.headersSent) response.destroy();
    else response.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify(INTERNAL_ERROR));
    return true;
  }
}

const INTERNAL_ERROR = { error: { code: 'internal', message: 'The server failed to answer this request' } };

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6 addresses (a dual-stack socket's view of an IPv4 peer). */
function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return address === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}
