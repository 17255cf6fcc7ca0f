/**
 * `/dashboard/api/session`, `login` and `logout`: a browser trades a bearer token (judged exactly
 * as `/mcp` judges it) for a session cookie, and learns who it is and what it may do. Without
 * tokens or OAuth there is no login: `session` gives the anonymous loopback caller a session of
 * its own, so that its actions carry a CSRF token as everyone's do.
 *
 * @module
 */
import type { Context } from 'hono';
import { Hono } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { anonymousPrincipal, canAct, isOperator } from './access.js';
import { ApiError } from './api-error.js';
import type { DashboardEnv } from './guard.js';
import { readJson } from './request-body.js';
import { SESSION_COOKIE, type Session, type Sessions } from './sessions.js';

/** The session routes; `node` is this node's worker name. */
export function sessionApi(sessions: Sessions, node: string): Hono<DashboardEnv> {
  const describe = (c: Context<DashboardEnv>, session: Session) =>
    c.json({
      principal: session.principal.principal,
      owner: session.principal.owner,
      scopes: session.principal.scopes,
      canAct: canAct(session.principal),
      operator: isOperator(session.principal),
      csrfToken: session.csrfToken,
      loginRequired: !c.env.context.unauthenticated,
      node,
    });

  return new Hono<DashboardEnv>()
    .get('/session', (c) => {
      const session = c.get('session');
      if (session) return describe(c, session);
      if (!c.env.context.unauthenticated) throw new ApiError(401, 'login_required', 'Log in with a token to use the dashboard.');
      const opened = sessions.open(anonymousPrincipal(c.env.context));
      setSessionCookie(c, opened);
      return describe(c, opened);
    })
    .post('/login', async (c) => {
      if (c.env.context.unauthenticated) throw new ApiError(400, 'no_login', 'This server has no tokens: there is nothing to log in to.');
      const { token } = await readJson(c, (body) => typeof (body as { token?: unknown }).token === 'string', '{ "token": string }');
      const identity = await c.env.context.authenticate((token as string).trim());
      if (!identity.ok)
        throw identity.reason === 'issuer_unavailable'
          ? new ApiError(503, 'issuer_unavailable', identity.message)
          : new ApiError(401, 'bad_token', `That token was refused: ${identity.message}`);
      const previous = c.get('session');
      if (previous) sessions.end(previous.id);
      const session = sessions.open({
        principal: identity.principal,
        owner: identity.owner,
        scopes: identity.scopes,
        ...(identity.expiresAt !== undefined && { expiresAt: identity.expiresAt }),
      });
      setSessionCookie(c, session);
      return describe(c, session);
    })
    .post('/logout', (c) => {
      const session = c.get('session');
      if (session) sessions.end(session.id);
      deleteCookie(c, SESSION_COOKIE, { path: '/dashboard' });
      return c.body(null, 204);
    });
}

/**
 * HttpOnly (no script reads it), SameSite=Strict (no other site's request carries it), scoped to
 * the dashboard, and Secure when the page was reached over https (the Origin a browser sends with
 * a login, or the request's own scheme).
 */
function setSessionCookie(c: Context<DashboardEnv>, session: Session): void {
  const https = new URL(c.req.url).protocol === 'https:' || c.req.header('origin')?.startsWith('https:') === true;
  setCookie(c, SESSION_COOKIE, session.id, {
    httpOnly: true,
    sameSite: 'Strict',
    path: '/dashboard',
    secure: https,
    maxAge: Math.max(1, Math.floor((session.expiresAt - Date.now()) / 1000)),
  });
}
