/**
 * Logging in with an OAuth access token from a real authorization server: the session acts as the
 * token's subject with its scopes, and ends when the token expires — its event stream with it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startAuthorizationServer, type AuthorizationServer } from '../../../tasks/test/support/authorization-server.js';
import { Browser, startServer } from './support/dashboard-server.js';
import { EventReader } from './support/sse.js';

let as: AuthorizationServer;
beforeAll(async () => {
  as = await startAuthorizationServer({ clients: [] });
});
afterAll(async () => {
  await as.close();
});

const seconds = () => Math.floor(Date.now() / 1000);

describe('dashboard login with OAuth', { timeout: 60_000 }, () => {
  it('acts as the token’s subject with its scopes, and ends the session and its stream when the token expires', async () => {
    const port = await freePort();
    const audience = `http://127.0.0.1:${port}/mcp`;
    const server = await startServer({ port, oauth: { issuers: [as.issuer], audience } });
    const browser = new Browser(server.origin);
    const token = await as.sign({ iss: as.issuer, sub: 'ada', aud: audience, scope: 'carrel:read', iat: seconds(), exp: seconds() + 3 });
    const session = await browser.login(token);
    expect(session).toMatchObject({
      principal: expect.stringContaining('ada'),
      owner: `oauth:${as.issuer}#ada`,
      scopes: ['carrel:read'],
      canAct: false,
    });
    expect((await browser.get('/dashboard/api/session')).status).toBe(200);
    const reader = new EventReader(await browser.get('/dashboard/api/events'));
    await reader.finished();
    expect((await browser.get('/dashboard/api/session')).status).toBe(401);
    const refused = await new Browser(server.origin).post('/dashboard/api/login', {
      token: await as.sign({ iss: as.issuer, sub: 'ada', aud: 'https://elsewhere.example/mcp', exp: seconds() + 60 }),
    });
    expect(refused.status).toBe(401);
  });
});
