/**
 * The application's routes beside the MCP endpoint, over real HTTP: a route answers its path while
 * `/mcp` keeps serving, a declined path is 404, a foreign Host or Origin never reaches a route, a
 * route's context judges bearer tokens exactly as `/mcp` does (static tokens and OAuth access tokens
 * from a real authorization server), and tells the unauthenticated posture and loopback callers.
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import type { HttpRoute, HttpRouteContext, TokenIdentity, TokenRejection } from '@carrel/tasks/mcp/http';
import { CreateTaskResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, SCOPES, startAuthorizationServer, type AuthorizationServer } from '../../support/authorization-server.js';
import { startHttp, v1Http, type HttpFixture } from '../support/servers.js';

const STATIC_TOKEN = 'static-token-0123456789';

/** A route at `/probe` answering with what its context says, judging `?token=` when given; the contexts it saw are kept. */
function probeRoute(): { route: HttpRoute; seen: HttpRouteContext[] } {
  const seen: HttpRouteContext[] = [];
  const route: HttpRoute = async (req, res, context) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/probe') return false;
    seen.push(context);
    const token = url.searchParams.get('token');
    const body = {
      method: req.method,
      unauthenticated: context.unauthenticated,
      unauthenticatedOwner: context.unauthenticatedOwner,
      unauthenticatedScopes: context.unauthenticatedScopes,
      loopback: context.loopback,
      ...(token !== null && { identity: await context.authenticate(token) }),
    };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    return true;
  };
  return { route, seen };
}

/** What the probe route answers. */
interface Probe {
  method: string;
  unauthenticated: boolean;
  unauthenticatedOwner: string;
  unauthenticatedScopes: string[];
  loopback: boolean;
  identity?: TokenIdentity | TokenRejection;
}

const probed = async (response: Response) => (await response.json()) as Probe;

const failing: HttpRoute = (req) => {
  if (req.url !== '/fails') return false;
  throw new Error('the route broke');
};

/** A raw request with a chosen Host header (fetch always sends the URL's). */
function rawGet(port: string, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('HTTP routes with static tokens', () => {
  let fx: HttpFixture;
  let origin: string;
  const probe = probeRoute();
  beforeAll(async () => {
    fx = await startHttp({
      http: {
        tokens: { [STATIC_TOKEN]: { principal: 'ops', owner: 'local:ops', scopes: ['carrel:read'] } },
        routes: [failing, probe.route],
      },
    });
    origin = new URL(fx.url).origin;
  });
  afterAll(async () => fx?.close());

  it('answers a route without a bearer token, while /mcp still requires one and unknown paths are 404', async () => {
    const response = await fetch(`${origin}/probe`, { method: 'POST' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      method: 'POST',
      unauthenticated: false,
      unauthenticatedOwner: 'anonymous',
      unauthenticatedScopes: [],
      loopback: true,
    });
    expect((await fetch(fx.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
    expect((await fetch(`${origin}/elsewhere`)).status).toBe(404);
    const client = await v1Http(fx.url, { token: STATIC_TOKEN });
    try {
      const { task } = await client.request(
        { method: 'tools/call', params: { name: 'slow_compute', arguments: { seconds: 0 }, task: {} } },
        CreateTaskResultSchema,
      );
      expect((await fx.server.engine.get(task.taskId, 'local:ops')).owner).toBe('local:ops');
    } finally {
      await client.close();
    }
  });

  it('judges a static token as /mcp does: its principal, owner and scopes, and no expiry', async () => {
    const known = await fetch(`${origin}/probe?token=${STATIC_TOKEN}`);
    expect((await probed(known)).identity).toEqual({ ok: true, principal: 'ops', owner: 'local:ops', scopes: ['carrel:read'] });
    const unknown = await fetch(`${origin}/probe?token=not-a-token`);
    expect((await probed(unknown)).identity).toEqual({ ok: false, reason: 'invalid_token', message: 'Unknown bearer token' });
  });

  it('refuses a foreign Host or Origin (DNS rebinding) with 403 before any route sees the request', async () => {
    const { port } = new URL(fx.url);
    const before = probe.seen.length;
    const foreignHost = await rawGet(port, '/probe', { host: `evil.example:${port}` });
    expect(foreignHost.status).toBe(403);
    expect(JSON.parse(foreignHost.body)).toMatchObject({ error: { code: 'forbidden_host' } });
    const foreignOrigin = await fetch(`${origin}/probe`, { headers: { origin: 'http://evil.example' } });
    expect(foreignOrigin.status).toBe(403);
    expect(probe.seen.length).toBe(before);
    expect((await rawGet(port, '/probe', { host: `localhost:${port}`, origin: `http://localhost:${port}` })).status).toBe(200);
  });

  it('answers 500 for a route that throws, and keeps serving', async () => {
    const response = await fetch(`${origin}/fails`);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: { code: 'internal', message: 'The server failed to answer this request' } });
    expect((await fetch(`${origin}/probe`)).status).toBe(200);
  });

  it('answers 400 for a request target that is not a URL path, and keeps serving', async () => {
    const { port } = new URL(fx.url);
    const statusLine = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write(`GET http://[ HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`));
      socket.once('data', (data) => {
        resolve(String(data).split('\r\n')[0]!);
        socket.destroy();
      });
      socket.on('error', reject);
    });
    expect(statusLine).toBe('HTTP/1.1 400 Bad Request');
    expect((await fetch(`${origin}/probe`)).status).toBe(200);
  });
});

describe('HTTP routes without authentication', () => {
  it('tell the route the server is open, with the owner and scopes the open /mcp endpoint gives its callers', async () => {
    const { route } = probeRoute();
    const fx = await startHttp({ http: { routes: [route], unauthenticatedScopes: ['carrel:read'] } });
    try {
      const response = await fetch(`${new URL(fx.url).origin}/probe?token=anything`);
      const body = await probed(response);
      expect(body).toMatchObject({
        unauthenticated: true,
        unauthenticatedOwner: 'anonymous',
        unauthenticatedScopes: ['carrel:read'],
        loopback: true,
      });
      expect(body.identity).toMatchObject({ ok: false, reason: 'invalid_token' });
      const client = await v1Http(fx.url);
      try {
        const { task } = await client.request(
          { method: 'tools/call', params: { name: 'slow_compute', arguments: { seconds: 0 }, task: {} } },
          CreateTaskResultSchema,
        );
        expect((await fx.server.engine.get(task.taskId, body.unauthenticatedOwner)).id).toBe(task.taskId);
      } finally {
        await client.close();
      }
    } finally {
      await fx.close();
    }
  });

  it('leave the server as it was without routes: off the endpoint is 404', async () => {
    const fx = await startHttp();
    try {
      expect((await fetch(`${new URL(fx.url).origin}/probe`)).status).toBe(404);
    } finally {
      await fx.close();
    }
  });
});

describe('HTTP routes with OAuth', () => {
  let as: AuthorizationServer;
  let fx: HttpFixture;
  let audience: string;
  beforeAll(async () => {
    as = await startAuthorizationServer({ clients: ['alice'] });
    const port = await freePort();
    audience = `http://127.0.0.1:${port}/mcp`;
    fx = await startHttp({ http: { port, oauth: { issuers: [as.issuer], audience }, routes: [probeRoute().route] } });
  });
  afterAll(async () => {
    await fx?.close();
    await as?.close();
  });

  it('judges an OAuth access token as /mcp does: the issuer-qualified subject as principal and owner, its scopes and expiry', async () => {
    const token = await as.token('alice', { resource: audience, scope: SCOPES.join(' ') });
    const started = Date.now();
    const body = await probed(await fetch(`${new URL(fx.url).origin}/probe?token=${encodeURIComponent(token)}`));
    expect(body.unauthenticated).toBe(false);
    expect(body.identity).toMatchObject({
      ok: true,
      principal: `${as.issuer}#alice`,
      owner: `oauth:${as.issuer}#alice`,
      scopes: SCOPES,
    });
    // Epoch milliseconds, in the future.
    const { expiresAt } = body.identity as TokenIdentity;
    expect(expiresAt).toBeGreaterThan(started);
    expect(expiresAt).toBeLessThan(started + 86_400_000);
    const wrongAudience = await as.token('alice', { resource: 'http://elsewhere.example/mcp', scope: SCOPES.join(' ') });
    const refused = await probed(await fetch(`${new URL(fx.url).origin}/probe?token=${encodeURIComponent(wrongAudience)}`));
    expect(refused.identity).toMatchObject({ ok: false, reason: 'invalid_token' });
  });
});
