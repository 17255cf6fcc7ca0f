/**
 * The observability route over real HTTP with the contexts the transport can give it: metrics
 * refused off loopback without tokens, refused to a token without `carrel:read`, answered 503 while
 * the token's issuer is unreachable; readiness answering 503 with the reason; and the readiness
 * check itself against a task store whose database was never migrated.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { HttpRouteContext, TokenIdentity, TokenRejection } from '@carrel/tasks/mcp/http';
import { SqliteTaskStore } from '@carrel/tasks/sqlite';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { CarrelRuntime } from '../../src/app/runtime.js';
import { notReadyReason } from '../../src/observability/readiness.js';
import { observabilityRoute } from '../../src/observability/routes.js';
import { tempDir } from '../support/temp-dir.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** The route behind a plain HTTP server on 127.0.0.1, answering with `context` whatever the request. */
async function serve(context: Partial<HttpRouteContext>, reason: string | null = null): Promise<string> {
  const route = observabilityRoute({ registry: new Registry(), notReadyReason: async () => reason });
  const full: HttpRouteContext = {
    authenticate: async () => ({ ok: false, reason: 'invalid_token', message: 'Unknown bearer token' }),
    unauthenticated: false,
    unauthenticatedOwner: 'anonymous',
    unauthenticatedScopes: [],
    loopback: true,
    ...context,
  };
  const server = createServer((req, res) => {
    void Promise.resolve(route(req, res, full)).then((handled) => handled || res.writeHead(404).end());
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const identity = (scopes: string[]): TokenIdentity => ({ ok: true, principal: 'p', owner: 'o', scopes });

describe('the observability route', () => {
  it('refuses metrics to a remote caller when the server has no tokens, and serves a local one', async () => {
    const remote = await serve({ unauthenticated: true, loopback: false });
    const refused = await fetch(`${remote}/metrics`);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { code: 'loopback_only' } });
    expect((await fetch(`${remote}/healthz`)).status).toBe(200);
    const local = await serve({ unauthenticated: true, loopback: true });
    expect((await fetch(`${local}/metrics`)).status).toBe(200);
  });

  it('refuses metrics to a token without carrel:read, and answers 503 while its issuer is unreachable', async () => {
    const readOnly = await serve({ authenticate: async () => identity(['carrel:read']) });
    expect((await fetch(`${readOnly}/metrics`, { headers: { authorization: 'Bearer t' } })).status).toBe(200);
    const writeOnly = await serve({ authenticate: async () => identity(['carrel:write']) });
    const refused = await fetch(`${writeOnly}/metrics`, { headers: { authorization: 'Bearer t' } });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { code: 'insufficient_scope' } });
    const unavailable: TokenRejection = { ok: false, reason: 'issuer_unavailable', message: 'The authorization server cannot be reached' };
    const away = await serve({ authenticate: async () => unavailable });
    const waiting = await fetch(`${away}/metrics`, { headers: { authorization: 'Bearer t' } });
    expect(waiting.status).toBe(503);
    expect(waiting.headers.get('retry-after')).toBe('5');
  });

  it('answers readiness 503 with the reason, and leaves other paths to other routes', async () => {
    const url = await serve({}, 'The task store is not ready: disk full');
    const response = await fetch(`${url}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: 'not_ready', reason: 'The task store is not ready: disk full' });
    expect((await fetch(`${url}/dashboard/`)).status).toBe(404);
  });
});

describe('notReadyReason', () => {
  it('names the task store when its database was never migrated', async () => {
    const store = new SqliteTaskStore({ path: join(tempDir(), 'unmigrated.db') });
    try {
      const runtime = { engine: { store }, kb: { get: async () => ({ listLibraries: async () => [] }) } } as unknown as CarrelRuntime;
      expect(await notReadyReason(runtime)).toMatch(/^The task store is not ready: .*migrate/);
      await store.migrate();
      expect(await notReadyReason(runtime)).toBeNull();
      const brokenKb = { ...runtime, kb: { get: async () => Promise.reject(new Error('database is locked')) } } as unknown as CarrelRuntime;
      expect(await notReadyReason(brokenKb)).toBe('The knowledge base is not ready: database is locked');
    } finally {
      await store.close();
    }
  });
});
