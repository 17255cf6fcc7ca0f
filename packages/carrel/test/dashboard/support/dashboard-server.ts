/**
 * A `carrel serve`-like server for dashboard tests: a runtime on a real data dir (SQLite, or a
 * PostgreSQL database), the MCP face over HTTP on 127.0.0.1 with the dashboard as its route, and
 * small helpers to call the API as a browser does (cookie, Origin, CSRF header).
 *
 * @module
 */
import { afterEach } from 'vitest';
import type { DashboardRoute } from '../../../src/app/faces.js';
import { openRuntime, type CarrelRuntime } from '../../../src/app/runtime.js';
import { CARREL_SCOPES, OPERATOR_SCOPE } from '../../../src/app/scopes.js';
import { resolveSettings } from '../../../src/app/settings.js';
import { createDashboard, type DashboardOptions } from '../../../src/dashboard/dashboard.js';
import { mcpFace } from '../../../src/mcp/index.js';
import { tempDir } from '../../support/temp-dir.js';

export interface DashboardServer {
  runtime: CarrelRuntime;
  dashboard: DashboardRoute;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  close(): Promise<void>;
}

const servers: DashboardServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0).reverse()) await server.close();
});

/** Tokens of the tests: alice and bob act, reader (alice's owner) may only look, operator sees and steers everyone's tasks. */
export const TOKENS = {
  alice: 'alice-token-0123456789abcdef',
  bob: 'bob-token-0123456789abcdef0',
  reader: 'reader-token-0123456789abcdef',
  operator: 'operator-token-0123456789abc',
};

export const GRANTS = {
  [TOKENS.alice]: { principal: 'alice', owner: 'alice', scopes: CARREL_SCOPES },
  [TOKENS.bob]: { principal: 'bob', owner: 'bob', scopes: CARREL_SCOPES },
  [TOKENS.reader]: { principal: 'reader', owner: 'alice', scopes: ['carrel:read'] },
  [TOKENS.operator]: { principal: 'operator', owner: 'ops', scopes: [...CARREL_SCOPES, OPERATOR_SCOPE] },
};

/** Starts a server; closed after the test. */
export async function startServer(
  options: {
    tokens?: boolean;
    /** Accept OAuth access tokens from these issuers for this audience (the server's canonical URI). */
    oauth?: { issuers: string[]; audience: string };
    host?: string;
    port?: number;
    databaseUrl?: string;
    concurrency?: number;
    /** Folders connectors and files may be read from. */
    allow?: string[];
    dashboard?: DashboardOptions;
  } = {},
): Promise<DashboardServer> {
  const settings = resolveSettings(
    {
      dataDir: tempDir(),
      embedder: 'offline',
      ...(options.databaseUrl !== undefined && { databaseUrl: options.databaseUrl }),
      ...(options.allow && { allow: options.allow }),
    },
    {},
  );
  const runtime = await openRuntime(settings, options.concurrency === undefined ? {} : { concurrency: options.concurrency });
  const dashboard = createDashboard(runtime, options.dashboard);
  const host = options.host ?? '127.0.0.1';
  const endpoint = await mcpFace.serveHttp(runtime, {
    host,
    port: options.port ?? 0,
    routes: [dashboard.route],
    ...(options.oauth && { oauth: options.oauth }),
    ...(options.tokens && { tokens: GRANTS }),
    ...(host !== '127.0.0.1' && { allowedHosts: [host] }),
  });
  let closing: Promise<void> | undefined;
  const server = {
    runtime,
    dashboard,
    origin: new URL(endpoint.url).origin,
    close: () =>
      (closing ??= (async () => {
        dashboard.close();
        await endpoint.close();
        await runtime.close();
      })()),
  };
  servers.push(server);
  return server;
}

/** A browser's view of one server: its cookie jar (one cookie) and CSRF token. */
export class Browser {
  cookie: string | undefined;
  csrf: string | undefined;

  constructor(readonly origin: string) {}

  /** Logs in with `token` (or, on an open server, opens the anonymous session); returns the session. */
  async login(token?: string): Promise<Record<string, unknown>> {
    const response = token === undefined ? await this.get('/dashboard/api/session') : await this.post('/dashboard/api/login', { token });
    const session = (await response.json()) as Record<string, unknown>;
    if (response.status !== 200) throw new Error(`login: ${response.status} ${JSON.stringify(session)}`);
    this.csrf = session.csrfToken as string;
    return session;
  }

  get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.fetch(path, { headers });
  }

  post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return this.fetch(path, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        origin: this.origin,
        ...(this.csrf !== undefined && { 'x-carrel-csrf': this.csrf }),
        ...headers,
      },
      body: JSON.stringify(body),
    });
  }

  async fetch(path: string, init: RequestInit & { headers?: Record<string, string> }): Promise<Response> {
    const response = await fetch(new URL(path, this.origin), {
      ...init,
      headers: { ...(this.cookie !== undefined && { cookie: this.cookie }), ...init.headers },
    });
    const set = response.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0]!;
    return response;
  }
}

/** A note to index as a real `index_document` task of `owner`; returns the task id. */
export async function indexTask(runtime: CarrelRuntime, owner: string, title: string, content = `# ${title}\n\nZebras have stripes.\n`) {
  const { task } = await runtime.engine.create({
    handler: 'mcp.tool:index_document',
    input: { arguments: { library: 'notes', title, content }, answers: {} },
    owner,
  });
  return task.id;
}
