/**
 * The HTTP transport as an OAuth 2.1 resource server, against a real authorization server
 * (`oidc-provider` on 127.0.0.1, client credentials, resource indicators): the protected resource
 * metadata, the 401 and 403 challenges the MCP authorization spec prescribes, JWT validation
 * (expiry, audience, issuer, a key removed from the JWKS, key refetch rate-limited), subjects as task
 * owners, scopes on tools and task methods, static tokens beside OAuth, and an authorization server
 * that is down when the resource server starts.
 */
import { request } from 'node:http';
import { defineTool } from '@carrel/tasks/mcp';
import type { HttpOptions } from '@carrel/tasks/mcp/http';
import { ClientCredentialsProvider } from '@modelcontextprotocol/sdk/client/auth-extensions.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateTaskResultSchema, GetTaskResultSchema, ListTasksResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { freePort, SCOPES, startAuthorizationServer, type AuthorizationServer } from '../../support/authorization-server.js';
import { request2026, startHttp, v1Http, type HttpFixture } from '../support/servers.js';

const READ = 'carrel:read';
const WRITE = 'carrel:write';
const STATIC_TOKEN = 'static-token-0123456789';

const reads = defineTool({
  name: 'reads',
  inputSchema: z.object({}),
  taskMode: 'never',
  requiredScopes: [READ],
  run: () => ({ content: [{ type: 'text', text: 'read' }] }),
});
const writes = defineTool({
  name: 'writes',
  inputSchema: z.object({}),
  taskMode: 'never',
  requiredScopes: [WRITE],
  run: () => ({ content: [{ type: 'text', text: 'written' }] }),
});

const now = () => Math.floor(Date.now() / 1000);

/** The transport over a fixed port, so that its canonical URI (the audience) is known before it listens. */
async function resourceServer(issuer: string, oauth: Partial<NonNullable<HttpOptions['oauth']>> = {}) {
  const port = await freePort();
  const audience = `http://127.0.0.1:${port}/mcp`;
  const fx = await startHttp({
    tools: [reads, writes],
    taskScopes: { read: [READ], write: [WRITE] },
    http: {
      port,
      tokens: { [STATIC_TOKEN]: { principal: 'ops', scopes: SCOPES } },
      oauth: { issuers: [issuer], audience, scopesSupported: SCOPES, ...oauth },
    },
  });
  return { fx, audience };
}

describe('HTTP as an OAuth resource server', () => {
  let as: AuthorizationServer;
  let fx: HttpFixture;
  let audience: string;
  let metadataUrl: string;
  const tokenFor = (client: string, scope = `${READ} ${WRITE}`) => as.token(client, { resource: audience, scope });

  beforeAll(async () => {
    as = await startAuthorizationServer({ clients: ['alice', 'bob'] });
    // No cooldown: a token with a key id the cache lacks refetches the JWKS every time (the rate limit has its own test).
    ({ fx, audience } = await resourceServer(as.issuer, { jwksCooldownMs: 0 }));
    metadataUrl = `${new URL(audience).origin}/.well-known/oauth-protected-resource/mcp`;
  });
  afterAll(async () => {
    await fx?.close();
    await as?.close();
  });

  it('publishes its protected resource metadata at the path-suffixed and the root well-known URI', async () => {
    const expected = {
      resource: audience,
      authorization_servers: [as.issuer],
      scopes_supported: SCOPES,
      bearer_methods_supported: ['header'],
    };
    for (const url of [metadataUrl, `${new URL(audience).origin}/.well-known/oauth-protected-resource`]) {
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual(expected);
    }
    expect((await fetch(metadataUrl, { method: 'POST' })).status).toBe(405);
  });

  it('answers a request without a token with 401 naming the metadata, and no error code (RFC 6750 §3.1)', async () => {
    const response = await fetch(fx.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${metadataUrl}"`);
  });

  it('serves a valid token, and its subject owns its tasks: another subject cannot see or cancel them', async () => {
    const alice = await v1Http(fx.url, { token: await tokenFor('alice') });
    const bob = await v1Http(fx.url, { token: await tokenFor('bob') });
    try {
      const { task } = await alice.request(
        { method: 'tools/call', params: { name: 'slow_compute', arguments: { seconds: 30 }, task: {} } },
        CreateTaskResultSchema,
      );
      // The owner is the subject qualified by its issuer.
      expect((await fx.server.engine.get(task.taskId, `oauth:${as.issuer}#alice`)).id).toBe(task.taskId);
      await expect(bob.request({ method: 'tasks/get', params: { taskId: task.taskId } }, GetTaskResultSchema)).rejects.toMatchObject({
        code: -32602,
      });
      await expect(bob.request({ method: 'tasks/cancel', params: { taskId: task.taskId } }, GetTaskResultSchema)).rejects.toMatchObject({
        code: -32602,
      });
      expect((await bob.request({ method: 'tasks/list', params: {} }, ListTasksResultSchema)).tasks).toEqual([]);
      expect((await alice.request({ method: 'tasks/list', params: {} }, ListTasksResultSchema)).tasks.map((t) => t.taskId)).toEqual([
        task.taskId,
      ]);
      expect((await alice.request({ method: 'tasks/cancel', params: { taskId: task.taskId } }, GetTaskResultSchema)).status).toBe(
        'cancelled',
      );
    } finally {
      await alice.close();
      await bob.close();
    }
  });

  it('refuses an expired token with 401 invalid_token, and accepts one expired within the clock skew', async () => {
    const claims = { iss: as.issuer, sub: 'alice', aud: audience, scope: READ, iat: now() - 3600 };
    const expired = await request2026(
      fx.url,
      'tools/call',
      { name: 'reads', arguments: {} },
      { token: await as.sign({ ...claims, exp: now() - 600 }) },
    );
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toBe(
      `Bearer error="invalid_token", error_description="The token has expired", resource_metadata="${metadataUrl}"`,
    );
    const withinSkew = await request2026(
      fx.url,
      'tools/call',
      { name: 'reads', arguments: {} },
      { token: await as.sign({ ...claims, exp: now() - 5 }) },
    );
    expect(withinSkew.body.result?.content).toEqual([{ type: 'text', text: 'read' }]);
  });

  it('refuses a token issued for another resource, and one from an issuer it does not trust', async () => {
    const elsewhere = await as.token('alice', { resource: 'http://127.0.0.1:9/other', scope: READ });
    const wrongAudience = await request2026(fx.url, 'tools/list', {}, { token: elsewhere });
    expect(wrongAudience.status).toBe(401);
    expect(wrongAudience.headers.get('www-authenticate')).toContain('error_description="The token was not issued for this resource (aud)"');
    const foreign = await as.sign({ iss: 'http://127.0.0.1:9', sub: 'alice', aud: audience, exp: now() + 60 });
    const untrusted = await request2026(fx.url, 'tools/list', {}, { token: foreign });
    expect(untrusted.status).toBe(401);
    expect(untrusted.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect((await request2026(fx.url, 'tools/list', {}, { token: 'not-a-jwt' })).status).toBe(401);
  });

  it('follows a key rotation and refuses tokens signed by the key removed from the JWKS', async () => {
    const before = await tokenFor('alice', READ);
    const call = (token: string) => request2026(fx.url, 'tools/call', { name: 'reads', arguments: {} }, { token });
    expect((await call(before)).body.result?.content).toEqual([{ type: 'text', text: 'read' }]);
    await as.rotateKey();
    // A key id the cached JWKS lacks: the JWKS is fetched again, and the new key verifies.
    expect((await call(await tokenFor('alice', READ))).body.result?.content).toEqual([{ type: 'text', text: 'read' }]);
    const revoked = await call(before);
    expect(revoked.status).toBe(401);
    expect(revoked.headers.get('www-authenticate')).toContain(
      'error_description="The token is signed with a key its issuer does not publish"',
    );
  });

  it('answers a token lacking a tool’s or a task method’s scope with 403 insufficient_scope, before anything runs', async () => {
    const reader = await tokenFor('alice', READ);
    expect((await request2026(fx.url, 'tools/call', { name: 'reads', arguments: {} }, { token: reader })).body.result?.content).toEqual([
      { type: 'text', text: 'read' },
    ]);
    const refused = await request2026(fx.url, 'tools/call', { name: 'writes', arguments: {} }, { token: reader });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('www-authenticate')).toBe(
      `Bearer error="insufficient_scope", error_description="'writes' requires the scope(s) ${WRITE}; use a token that grants them", scope="${READ} ${WRITE}", resource_metadata="${metadataUrl}"`,
    );
    // Task methods: reading one's tasks needs carrel:read, cancelling needs carrel:write, in both eras.
    const writer = await tokenFor('alice', WRITE);
    expect((await request2026(fx.url, 'tasks/get', { taskId: 'no-such-task' }, { token: writer })).status).toBe(403);
    expect((await request2026(fx.url, 'tasks/cancel', { taskId: 'no-such-task' }, { token: reader })).status).toBe(403);
    expect((await request2026(fx.url, 'tools/call', { name: 'cancel_task', arguments: { taskId: 'x' } }, { token: reader })).status).toBe(
      403,
    );
    const client = await v1Http(fx.url, { token: reader });
    try {
      await expect(client.request({ method: 'tasks/cancel', params: { taskId: 'x' } }, GetTaskResultSchema)).rejects.toMatchObject({
        code: 403,
        message: expect.stringContaining('insufficient_scope'),
      });
      // Discovery needs no scope.
      expect((await client.listTools()).tools.map((t) => t.name)).toContain('writes');
    } finally {
      await client.close();
    }
  });

  it('lets the official SDK client find the authorization server from the 401, get a token, and read the 403 as a scope challenge', async () => {
    const provider = new ClientCredentialsProvider({
      clientId: 'alice',
      clientSecret: 'alice-secret',
      scope: READ,
      expectedIssuer: as.issuer,
    });
    const client = new Client({ name: 'oauth-test', version: '1.0.0' });
    // 401 → resource_metadata → the metadata's authorization server → its token endpoint, with the metadata's resource.
    await client.connect(new StreamableHTTPClientTransport(new URL(fx.url), { authProvider: provider }));
    try {
      expect(provider.tokens()?.scope).toBe(READ);
      expect((await client.callTool({ name: 'reads', arguments: {} })).content).toEqual([{ type: 'text', text: 'read' }]);
      // The SDK takes the 403 for what it is and re-authorizes once; a client credentials client asks for its
      // configured scope again (SDK 1.32: `fetchToken` uses the provider's scope, not the challenge's), so it stays refused.
      await expect(client.callTool({ name: 'writes', arguments: {} })).rejects.toThrow('Server returned 403 after trying upscoping');
    } finally {
      await client.close();
    }
  });

  it('still accepts its static bearer tokens, with their own scopes and owner', async () => {
    const result = await request2026(fx.url, 'tools/call', { name: 'writes', arguments: {} }, { token: STATIC_TOKEN });
    expect(result.body.result?.content).toEqual([{ type: 'text', text: 'written' }]);
  });
});

describe('the audience host', () => {
  it('is accepted in Host, as the name clients reach the resource by; other names are still refused', async () => {
    const fx = await startHttp({ http: { oauth: { issuers: ['https://auth.example.com'], audience: 'https://carrel.example.com/mcp' } } });
    try {
      const post = (host: string) =>
        new Promise<number>((resolve, reject) => {
          const req = request(
            {
              host: '127.0.0.1',
              port: new URL(fx.url).port,
              path: '/mcp',
              method: 'POST',
              headers: { host, 'content-type': 'application/json' },
            },
            (res) => {
              res.resume();
              resolve(res.statusCode ?? 0);
            },
          );
          req.on('error', reject);
          req.end('{}');
        });
      expect(await post('carrel.example.com')).toBe(401); // past the Host check, to authentication
      expect(await post('evil.example')).toBe(403);
    } finally {
      await fx.close();
    }
  });
});

describe('JWKS refetch on unknown key ids', () => {
  it('is rate-limited: tokens with made-up key ids do not make the server fetch the JWKS each time', async () => {
    const as = await startAuthorizationServer({ clients: ['alice'] });
    const { fx, audience } = await resourceServer(as.issuer);
    try {
      const good = await as.token('alice', { resource: audience, scope: READ });
      expect((await request2026(fx.url, 'tools/list', {}, { token: good })).status).toBe(200);
      expect(as.jwksFetches).toBe(1);
      const { privateKey } = await generateKeyPair('ES256');
      for (let i = 0; i < 5; i++) {
        const forged = await new SignJWT({ iss: as.issuer, sub: 'mallory', aud: audience, exp: now() + 60 })
          .setProtectedHeader({ alg: 'ES256', kid: `made-up-${i}` })
          .sign(privateKey);
        expect((await request2026(fx.url, 'tools/list', {}, { token: forged })).status).toBe(401);
      }
      // One refetch at most within the 30 s cooldown after the first fetch (none, unless the machine stalled that long).
      expect(as.jwksFetches).toBeLessThanOrEqual(2);
    } finally {
      await fx.close();
      await as.close();
    }
  });
});

describe('an authorization server that is down when the resource server starts', () => {
  it('starts anyway, answers tokens 503 while the issuer cannot be reached, and serves them once it can', async () => {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    const { fx, audience } = await resourceServer(issuer);
    let as: AuthorizationServer | undefined;
    try {
      const { privateKey } = await generateKeyPair('RS256');
      const early = await new SignJWT({ iss: issuer, sub: 'alice', aud: audience, exp: now() + 60 })
        .setProtectedHeader({ alg: 'RS256', kid: 'k' })
        .sign(privateKey);
      const unavailable = await request2026(fx.url, 'tools/list', {}, { token: early });
      expect(unavailable.status).toBe(503);
      expect(unavailable.headers.get('retry-after')).toBe('5');
      // Static tokens do not depend on it.
      expect((await request2026(fx.url, 'tools/list', {}, { token: STATIC_TOKEN })).status).toBe(200);

      as = await startAuthorizationServer({ clients: ['alice'], port });
      const token = await as.token('alice', { resource: audience, scope: READ });
      const served = await request2026(fx.url, 'tools/call', { name: 'reads', arguments: {} }, { token });
      expect(served.body.result?.content).toEqual([{ type: 'text', text: 'read' }]);
    } finally {
      await fx.close();
      await as?.close();
    }
  });
});
