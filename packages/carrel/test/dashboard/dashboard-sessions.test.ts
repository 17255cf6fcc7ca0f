/**
 * The dashboard's gate over real HTTP on a real `carrel serve`-like server: login with good and
 * bad tokens, the cookie's flags, 401 without a session, 403 for a missing or wrong CSRF header,
 * a foreign Origin or a read-only token acting, and (without tokens) a caller not on loopback.
 */
import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { Browser, indexTask, startServer, TOKENS } from './support/dashboard-server.js';

describe('dashboard sessions', { timeout: 60_000 }, () => {
  it('logs in with a good token and sets an HttpOnly, SameSite=Strict cookie scoped to /dashboard', async () => {
    const server = await startServer({ tokens: true });
    const browser = new Browser(server.origin);
    const response = await browser.post('/dashboard/api/login', { token: TOKENS.alice });
    expect(response.status).toBe(200);
    const cookie = response.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^carrel_session=[\w-]{43};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\/dashboard/);
    expect(cookie).not.toMatch(/Secure/);
    const session = (await response.json()) as Record<string, unknown>;
    expect(session).toMatchObject({ principal: 'alice', owner: 'alice', canAct: true, loginRequired: true });
    expect(session.csrfToken).toMatch(/^[\w-]{43}$/);
    expect(session.node).toBe(server.runtime.engine.worker);
  });

  it('refuses a bad token with 401 bad_token and sets no cookie', async () => {
    const server = await startServer({ tokens: true });
    const response = await new Browser(server.origin).post('/dashboard/api/login', { token: 'not-a-token-0123456789' });
    expect(response.status).toBe(401);
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('bad_token');
  });

  it('answers 401 login_required without a session, and after logout', async () => {
    const server = await startServer({ tokens: true });
    const browser = new Browser(server.origin);
    const before = await browser.get('/dashboard/api/tasks');
    expect(before.status).toBe(401);
    expect(await before.json()).toEqual({ error: { code: 'login_required', message: expect.any(String) } });
    // Asking who one is opens no session either: the anonymous one is for servers without tokens.
    const session = await browser.get('/dashboard/api/session');
    expect([session.status, session.headers.get('set-cookie')]).toEqual([401, null]);
    await browser.login(TOKENS.alice);
    expect((await browser.get('/dashboard/api/tasks')).status).toBe(200);
    const stale = browser.cookie;
    expect((await browser.post('/dashboard/api/logout', {})).status).toBe(204);
    browser.cookie = stale; // a stolen copy of the old cookie is worth nothing after logout
    expect((await browser.get('/dashboard/api/tasks')).status).toBe(401);
  });

  it('refuses an action without the CSRF header, with a wrong one, or from a foreign Origin', async () => {
    const server = await startServer({ tokens: true });
    const browser = new Browser(server.origin);
    await browser.login(TOKENS.alice);
    const id = await indexTask(server.runtime, 'alice', 'Stays');
    const code = async (response: Response) => [response.status, ((await response.json()) as { error: { code: string } }).error.code];
    expect(await code(await browser.post(`/dashboard/api/tasks/${id}/cancel`, {}, { 'x-carrel-csrf': '' }))).toEqual([403, 'csrf']);
    expect(await code(await browser.post(`/dashboard/api/tasks/${id}/cancel`, {}, { 'x-carrel-csrf': 'x'.repeat(43) }))).toEqual([
      403,
      'csrf',
    ]);
    // A foreign host is refused by the server's DNS-rebinding check before the dashboard sees the request.
    expect(await code(await browser.post(`/dashboard/api/tasks/${id}/cancel`, {}, { origin: 'http://evil.example' }))).toEqual([
      403,
      'forbidden_host',
    ]);
    // Another name the server answers to is still not this page's origin.
    const sibling = server.origin.replace('127.0.0.1', 'localhost');
    expect(await code(await browser.post(`/dashboard/api/tasks/${id}/cancel`, {}, { origin: sibling }))).toEqual([403, 'origin']);
    const noOrigin = await browser.fetch(`/dashboard/api/tasks/${id}/cancel`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-carrel-csrf': browser.csrf! },
      body: '{}',
    });
    expect(await code(noOrigin)).toEqual([403, 'origin']);
    // None of them touched the task.
    expect((await server.runtime.engine.get(id, 'alice')).status).not.toBe('cancelled');
  });

  it('lets a read-scope token look but answers 403 read_only to every action', async () => {
    const server = await startServer({ tokens: true });
    const id = await indexTask(server.runtime, 'alice', 'Read only');
    const browser = new Browser(server.origin);
    expect(await browser.login(TOKENS.reader)).toMatchObject({ canAct: false, owner: 'alice' });
    expect((await browser.get(`/dashboard/api/tasks/${id}`)).status).toBe(200);
    for (const [path, body] of [
      [`/dashboard/api/tasks/${id}/cancel`, {}],
      [`/dashboard/api/tasks/${id}/retry`, {}],
      ['/dashboard/api/tasks/bulk', { action: 'cancel', q: '' }],
      ['/dashboard/api/connectors/any/sync', {}],
    ] as const) {
      const response = await browser.post(path, body);
      expect([path, response.status, ((await response.json()) as { error: { code: string } }).error.code]).toEqual([
        path,
        403,
        'read_only',
      ]);
    }
  });

  it('without tokens, gives a loopback caller the anonymous session and its CSRF token, and still checks both', async () => {
    const server = await startServer();
    const browser = new Browser(server.origin);
    const session = await browser.login();
    expect(session).toMatchObject({ principal: 'anonymous', owner: 'anonymous', canAct: true, loginRequired: false });
    expect(browser.cookie).toMatch(/^carrel_session=/);
    const id = await indexTask(server.runtime, 'anonymous', 'Open');
    expect((await browser.post(`/dashboard/api/tasks/${id}/cancel`, {}, { 'x-carrel-csrf': 'wrong' })).status).toBe(403);
    const login = await browser.post('/dashboard/api/login', { token: 'anything-at-all-here' });
    expect(login.status).toBe(400);
  });

  // Bound to this machine's non-loopback address and called through it: the peer is not loopback.
  const remote = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
  it.runIf(remote !== undefined)('without tokens, refuses a caller that is not on loopback (403 loopback_only)', async () => {
    const server = await startServer({ host: remote! });
    const response = await fetch(`${server.origin}/dashboard/api/session`);
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('loopback_only');
    expect((await fetch(`${server.origin}/dashboard/api/tasks`)).status).toBe(403);
  });
});
