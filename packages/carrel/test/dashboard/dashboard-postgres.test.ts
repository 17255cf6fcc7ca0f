/**
 * The tasks API on PostgreSQL (`--database-url`), over real HTTP with real tasks: search with
 * qualifiers and text, detail, cancel, retry as a linked task, queues, and owner isolation — the
 * same answers as on SQLite, from the other backend's SQL.
 */
import { describe, expect, it } from 'vitest';
import { freshDatabase } from '../support/postgres-database.js';
import { Browser, indexTask, startServer, TOKENS } from './support/dashboard-server.js';

type Row = { id: string; status: string; retryOf: string | null };
const json = async <T>(response: Response): Promise<T> => (await response.json()) as T;

describe('dashboard tasks API on PostgreSQL', { timeout: 120_000 }, () => {
  it('searches, retries and counts the owner’s tasks, and shows another owner none of them', async () => {
    const server = await startServer({ tokens: true, databaseUrl: await freshDatabase() });
    const alice = new Browser(server.origin);
    await alice.login(TOKENS.alice);
    const done = await indexTask(server.runtime, 'alice', 'Giraffe', '# Giraffe\n\nLong necks.\n');
    expect((await server.runtime.engine.waitForTerminal(done, 'alice')).status).toBe('completed');
    // An index_document without an arguments object (which MCP would have refused) fails at once.
    const { task: broken } = await server.runtime.engine.create({
      handler: 'mcp.tool:index_document',
      input: { arguments: null, answers: {} },
      owner: 'alice',
    });
    expect((await server.runtime.engine.waitForTerminal(broken.id, 'alice')).status).toBe('failed');

    const list = async (q: string) =>
      (await json<{ tasks: Row[] }>(await alice.get(`/dashboard/api/tasks?q=${encodeURIComponent(q)}`))).tasks.map((t) => t.id);
    expect(await list('giraffe')).toEqual([done]);
    expect(await list('tool:index_document status:completed giraffe')).toEqual([done]);
    expect(await list(`id:${done.slice(0, 6)}`)).toEqual([done]);
    const detail = (await json<{ task: { status: string; outcome: { kind: string } } }>(await alice.get(`/dashboard/api/tasks/${done}`)))
      .task;
    expect(detail).toMatchObject({ status: 'completed', outcome: { kind: 'result' } });

    expect((await alice.post(`/dashboard/api/tasks/${done}/retry`, {})).status).toBe(409);
    const retried = await alice.post(`/dashboard/api/tasks/${broken.id}/retry`, {});
    expect(retried.status).toBe(201);
    const retry = (await json<{ task: Row }>(retried)).task;
    expect(retry.retryOf).toBe(broken.id);
    // The retry has the same input: it fails as well.
    expect((await server.runtime.engine.waitForTerminal(retry.id, 'alice')).status).toBe('failed');
    const queues = await json<{ tools: { tool: string; completed: number; failed: number }[] }>(
      await alice.get('/dashboard/api/queues?window=15m'),
    );
    expect(queues.tools).toEqual([expect.objectContaining({ tool: 'index_document', completed: 1, failed: 2 })]);

    const bob = new Browser(server.origin);
    await bob.login(TOKENS.bob);
    expect((await json<{ tasks: Row[] }>(await bob.get('/dashboard/api/tasks'))).tasks).toEqual([]);
    expect((await bob.get(`/dashboard/api/tasks/${done}`)).status).toBe(404);
    expect((await bob.post(`/dashboard/api/tasks/${done}/retry`, {})).status).toBe(404);
    expect((await json<{ tools: unknown[] }>(await bob.get('/dashboard/api/queues'))).tools).toEqual([]);
  });

  it('cancels a queued task', async () => {
    // No worker: the task stays queued until the page cancels it.
    const server = await startServer({ tokens: true, concurrency: 0, databaseUrl: await freshDatabase() });
    const alice = new Browser(server.origin);
    await alice.login(TOKENS.alice);
    const id = await indexTask(server.runtime, 'alice', 'Okapi');
    const response = await alice.post(`/dashboard/api/tasks/${id}/cancel`, {});
    expect(response.status).toBe(200);
    expect((await json<{ task: Row }>(response)).task).toMatchObject({ id, status: 'cancelled' });
    expect((await alice.post(`/dashboard/api/tasks/${id}/cancel`, {})).status).toBe(409);
  });
});
