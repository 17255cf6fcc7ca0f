/**
 * `carrel serve`'s HTTP face and dashboard in the test process, on 127.0.0.1 over a real SQLite data dir, with
 * the tokens of two owners and of a read-only reader (the CLI's `--token` names only one holder).
 * URL fetches may reach loopback, where the tests' documentation sites live.
 */
import { openRuntime, type CarrelRuntime } from '../../../src/app/runtime.js';
import { READ_SCOPE, CARREL_SCOPES } from '../../../src/app/scopes.js';
import { resolveSettings } from '../../../src/app/settings.js';
import { createDashboard } from '../../../src/dashboard/dashboard.js';
import { mcpFace } from '../../../src/mcp/index.js';

export const TOKENS = {
  alice: 'alice-token-0123456789abcdef',
  bob: 'bob-token-0123456789abcdef',
  reader: 'reader-token-0123456789abcdef',
} as const;

export interface DashboardServer {
  /** The server's origin, e.g. http://127.0.0.1:43121 */
  origin: string;
  runtime: CarrelRuntime;
  close(): Promise<void>;
}

export async function startDashboardServer(dataDir: string, { tokens = true } = {}): Promise<DashboardServer> {
  const runtime = await openRuntime(resolveSettings({ dataDir, embedder: 'offline', allowPrivateAddresses: true }, {}));
  const dashboard = createDashboard(runtime);
  const endpoint = await mcpFace.serveHttp(runtime, {
    host: '127.0.0.1',
    port: 0,
    routes: [dashboard.route],
    ...(tokens && {
      tokens: {
        [TOKENS.alice]: { principal: 'alice', owner: 'user:alice', scopes: CARREL_SCOPES },
        [TOKENS.bob]: { principal: 'bob', owner: 'user:bob', scopes: CARREL_SCOPES },
        [TOKENS.reader]: { principal: 'reader', owner: 'user:alice', scopes: [READ_SCOPE] },
      },
    }),
  });
  return {
    origin: new URL(endpoint.url).origin,
    runtime,
    close: async () => {
      dashboard.close();
      await endpoint.close();
      await runtime.close();
    },
  };
}
