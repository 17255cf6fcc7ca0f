/**
 * The gate in front of every `/dashboard/api/*` path. It settles who the request acts as and
 * refuses, in this order:
 * - without tokens or OAuth, a caller not on loopback (403 `loopback_only`): nothing identifies it;
 * - with them, a request without a live session (401 `login_required`);
 * - any request that is not a GET whose `Origin` is not this server's own (403 `origin`), or that
 *   lacks the session's CSRF token in `X-Carrel-CSRF` (403 `csrf`); `SameSite=Strict` already keeps
 *   the cookie off cross-site requests, these two hold where it does not (old browsers, a sibling
 *   subdomain).
 * Acting (`requireAct`) further needs `carrel:write` (403 `read_only`).
 *
 * @module
 */
import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { anonymousPrincipal, canAct, type HttpRouteContext, type Principal } from './access.js';
import { ApiError } from './api-error.js';
import { SESSION_COOKIE, type Session, type Sessions } from './sessions.js';

/** The Hono environment of dashboard handlers. */
export interface DashboardEnv {
  Bindings: { context: HttpRouteContext };
  Variables: { principal: Principal; session: Session | undefined };
}

/** The header that carries the CSRF token. */
export const CSRF_HEADER = 'x-carrel-csrf';

/** Paths under the API that a caller without a session may reach (`login` still needs the Origin check). */
const OPEN_PATHS = ['/dashboard/api/login', '/dashboard/api/session'];

/** The gate (see module comment). */
export function guard(sessions: Sessions): MiddlewareHandler<DashboardEnv> {
  return async (c, next) => {
    const { context } = c.env;
    if (context.unauthenticated && !context.loopback)
      throw new ApiError(403, 'loopback_only', 'This server has no tokens: its dashboard answers only on this machine (loopback).');
    const session = sessions.get(getCookie(c, SESSION_COOKIE));
    const path = c.req.path;
    if (!context.unauthenticated && !session && !OPEN_PATHS.includes(path))
      throw new ApiError(401, 'login_required', 'Log in with a token to use the dashboard.');
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      checkOrigin(c);
      if (path !== '/dashboard/api/login') checkCsrf(c.req.header(CSRF_HEADER), session);
    }
    c.set('session', session);
    c.set('principal', session?.principal ?? anonymousPrincipal(context));
    await next();
  };
}

/** Refuses a principal that may only look (403 `read_only`). */
export function requireAct(c: Context<DashboardEnv>): Principal {
  const principal = c.get('principal');
  if (!canAct(principal)) throw new ApiError(403, 'read_only', 'This login may look but not act: its token lacks the carrel:write scope.');
  return principal;
}

/**
 * The request's `Origin` must name the host it was sent to (which the server's Host allowlist
 * already accepted): `http` or `https`, as a proxy in front may terminate TLS.
 */
function checkOrigin(c: Context<DashboardEnv>): void {
  const origin = c.req.header('origin');
  const host = c.req.header('host');
  let parsed: URL | undefined;
  try {
    parsed = origin ? new URL(origin) : undefined;
  } catch {
    parsed = undefined;
  }
  const same =
    parsed !== undefined &&
    (parsed.protocol === 'http:' || parsed.protocol === 'https:') &&
    parsed.host === host &&
    parsed.origin === origin;
  if (!same) throw new ApiError(403, 'origin', `Refused: this request's Origin (${origin ?? 'none'}) is not this server's own.`);
}

function checkCsrf(header: string | undefined, session: Session | undefined): void {
  const ok = header !== undefined && session !== undefined && equalSecrets(header, session.csrfToken);
  if (!ok) throw new ApiError(403, 'csrf', 'Refused: the X-Carrel-CSRF header is missing or does not match this session; reload the page.');
}

function equalSecrets(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
