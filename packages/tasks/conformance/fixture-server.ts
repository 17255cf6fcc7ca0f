/**
 * The conformance fixture server: the fixture tools on `@carrel/tasks`, over Streamable HTTP (the
 * conformance CLI is HTTP-only) or stdio. Prints `listening <url>` once ready.
 *
 *   node --conditions=carrel-source --import tsx packages/tasks/conformance/fixture-server.ts [--port N] [--stdio] [--sqlite FILE] [--lease-ms N]
 *
 * `--lease-ms` shortens the engine lease, so a task whose server was killed resumes quickly (tests).
 */
import { parseArgs } from 'node:util';
import { MemoryTaskStore, type TaskStore } from '@carrel/tasks';
import { createTaskServer, serveStdio } from '@carrel/tasks/mcp';
import { serveHttp } from '@carrel/tasks/mcp/http';
import { fixtureTools } from './fixture-tools.js';

const { values } = parseArgs({
  options: { port: { type: 'string' }, stdio: { type: 'boolean' }, sqlite: { type: 'string' }, 'lease-ms': { type: 'string' } },
});
const leaseMs = values['lease-ms'] === undefined ? undefined : Number(values['lease-ms']);

async function openStore(): Promise<TaskStore> {
  if (!values.sqlite) return new MemoryTaskStore();
  const { SqliteTaskStore } = await import('@carrel/tasks/sqlite');
  return new SqliteTaskStore({ path: values.sqlite });
}

const server = await createTaskServer({
  name: 'carrel-conformance-fixture',
  version: '0.1.0',
  store: await openStore(),
  tools: fixtureTools,
  engine: { pollIntervalMs: 200, ...(leaseMs !== undefined && { leaseMs, maintenanceMs: Math.max(50, Math.floor(leaseMs / 4)) }) },
});
const shutdown = async () => {
  await server.close();
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());

if (values.stdio) {
  // The client closing stdin ends the session: stop cleanly, so running tasks resume at the next start.
  serveStdio(server, { onEnd: () => void shutdown() });
} else {
  const endpoint = await serveHttp(server, { port: Number(values.port ?? 0) });
  console.log(`listening ${endpoint.url}`);
}
