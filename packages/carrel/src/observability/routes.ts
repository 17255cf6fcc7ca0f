/**
 * `/healthz`, `/readyz` and `/metrics` on `carrel serve`'s port, as one route of the MCP HTTP
 * server (after its Host and Origin checks). Health and readiness are open, for load balancers.
 * Metrics need a bearer token with `carrel:read`, judged as `/mcp` judges one, when the server has
 * tokens or OAuth; without them, only processes on this machine may read them.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpRoute, HttpRouteContext } from '@carrel/tasks/mcp/http';
import type { Registry } from 'prom-client';
import { READ_SCOPE } from '../app/scopes.js';

export interface ObservabilitySources {
  /** Null when ready; otherwise why not. */
  notReadyReason(): Promise<string | null>;
  registry: Registry;
}

const PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** The route serving the three paths, and nothing else. */
export function observabilityRoute(sources: ObservabilitySources): HttpRoute {
  return async (req, res, context) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (!PATHS.has(path)) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendError(res, 405, 'method_not_allowed', `${path} answers GET and HEAD only`, { allow: 'GET, HEAD' });
      return true;
    }
    if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (path === '/readyz') {
      const reason = await sources.notReadyReason();
      return sendJson(res, reason === null ? 200 : 503, reason === null ? { status: 'ready' } : { status: 'not_ready', reason });
    }
    const refusal = await metricsRefusal(req, context);
    if (refusal) {
      sendError(res, refusal.status, refusal.code, refusal.message, refusal.headers);
      return true;
    }
    const text = await sources.registry.metrics();
    res.writeHead(200, { 'content-type': sources.registry.contentType, 'cache-control': 'no-store' }).end(text);
    return true;
  };
}

interface Refusal {
  status: number;
  code: string;
  message: string;
  headers?: Record<string, string>;
}

/** Why this request may not read the metrics, or null when it may. */
async function metricsRefusal(req: IncomingMessage, context: HttpRouteContext): Promise<Refusal | null> {
  if (context.unauthenticated) {
    return context.loopback
      ? null
      : { status: 403, code: 'loopback_only', message: 'Without tokens, metrics are served only to processes on this machine' };
  }
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  const challenge = { 'www-authenticate': 'Bearer' };
  if (!bearer) return { status: 401, code: 'unauthorized', message: `Metrics need a bearer token with ${READ_SCOPE}`, headers: challenge };
  const identity = await context.authenticate(bearer[1]!);
  if (!identity.ok) {
    return identity.reason === 'issuer_unavailable'
      ? { status: 503, code: 'issuer_unavailable', message: identity.message, headers: { 'retry-after': '5' } }
      : { status: 401, code: 'invalid_token', message: identity.message, headers: challenge };
  }
  if (!identity.scopes.includes(READ_SCOPE))
    return { status: 403, code: 'insufficient_scope', message: `Metrics need the scope ${READ_SCOPE}, which this token lacks` };
  return null;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): true {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers }).end(JSON.stringify(body));
  return true;
}

function sendError(res: ServerResponse, status: number, code: string, message: string, headers?: Record<string, string>): void {
  sendJson(res, status, { error: { code, message } }, headers);
}
