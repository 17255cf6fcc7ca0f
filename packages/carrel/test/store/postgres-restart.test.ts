/**
 * The PostgreSQL knowledge base through a server restart, as an operator's restart or a failover
 * makes one: writes and searches keep coming while every connection is cut. Calls made while the
 * server is away fail, each with the knowledge base's own "database unavailable" error; nothing crashes the process (a connection cut inside a transaction emits an
 * error on its checked-out client), nothing half-written is visible, and once the server is back
 * the same repository writes and finds documents again.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from '../../../tasks/test/support/postgres-server.js';
import { DatabaseUnavailableError } from '../../src/errors.js';
import { PostgresRepository } from '../../src/store/postgres/index.js';
import { liveSources, publishDocuments } from './contract/fixture.js';

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

it('keeps serving, whole documents only, after the server restarts under writes', { timeout: 120_000 }, async () => {
  const repo = await PostgresRepository.open({ connectionString: server.url });
  try {
    const published: string[] = [];
    const failures: unknown[] = [];
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        const doc = { source: `doc-${i}.md`, chunks: [`First part of document ${i}.`, `Second part of document ${i}.`] };
        try {
          await publishDocuments(repo, 'notes', [doc]);
          published.push(`notes:${doc.source}`);
        } catch (error) {
          failures.push(error);
        }
      }
    })();
    while (published.length < 20) await new Promise((resolve) => setTimeout(resolve, 10));
    await server.restart();
    const before = published.length;
    while (published.length < before + 20) await new Promise((resolve) => setTimeout(resolve, 10));
    writing = false;
    await writer;

    expect(failures.length).toBeGreaterThan(0); // the outage was met, not slept through
    for (const failure of failures) expect(failure).toBeInstanceOf(DatabaseUnavailableError);
    // Every publish that answered is there, and nothing else is: a run cut off mid-way published nothing.
    expect(await liveSources(repo)).toEqual([...published].sort());
    const { hits } = await repo.keywordSearch('document', {}, 100);
    expect(hits.length).toBe(published.length * 2);
  } finally {
    await repo.close();
  }
});
