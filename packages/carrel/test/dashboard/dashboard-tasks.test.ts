/**
 * The tasks API over real HTTP with real tasks (index_document of notes, on a real SQLite data
 * dir): the query language, detail with masked secrets, cancel, bulk cancel, and owner checks —
 * a second owner sees none of the first's tasks, and acting on one is a 404 as for a missing task.
 */
import { describe, expect, it } from 'vitest';
import { Browser, indexTask, startServer, TOKENS } from './support/dashboard-server.js';

type Row = { id: string; status: string; tool: string | null; handler: string; owner: string };
const json = async <T>(response: Response): Promise<T> => (await response.json()) as T;

describe('dashboard tasks API', { timeout: 60_000 }, () => {
  it('lists the owner’s tasks newest first, with search qualifiers, and refuses an unknown qualifier', async () => {
    // No worker: the tasks stay `working`, so every filter below is about what was created.
    const server = await startServer({ tokens: true, concurrency: 0 });
    const browser = new Browser(server.origin);
    await browser.login(TOKENS.alice);
    const zebra = await indexTask(server.runtime, 'alice', 'Zebra note', '# Zebra\n\nStripes.\n');
    const okapi = await indexTask(server.runtime, 'alice', 'Okapi note', '# Okapi\n\nAlso stripes.\n');
    await server.runtime.engine.cancel(zebra, 'alice');

    const list = async (q: string) =>
      (await json<{ tasks: Row[] }>(await browser.get(`/dashboard/api/tasks?q=${encodeURIComponent(q)}`))).tasks.map((t) => t.id);
    expect(await list('')).toEqual([okapi, zebra]);
    expect(await list('status:cancelled')).toEqual([zebra]);
    expect(await list('status:working,cancelled')).toEqual([okapi, zebra]);
    expect(await list('tool:index_document')).toEqual([okapi, zebra]);
    expect(await list('tool:search')).toEqual([]);
    expect(await list('OKAPI')).toEqual([okapi]);
    expect(await list('stripes okapi')).toEqual([okapi]);
    expect(await list(`id:${zebra.slice(0, 8)}`)).toEqual([zebra]);
    const row = (await json<{ tasks: Row[] }>(await browser.get('/dashboard/api/tasks?limit=1'))).tasks[0]!;
    expect(row).toMatchObject({ id: okapi, status: 'working', tool: 'index_document', handler: 'mcp.tool:index_document', owner: 'alice' });

    const bad = await browser.get('/dashboard/api/tasks?q=owner:bob');
    expect(bad.status).toBe(400);
    expect((await json<{ error: { code: string; message: string } }>(bad)).error).toMatchObject({
      code: 'bad_query',
      message: expect.stringContaining('carrel:operator'),
    });
    expect((await browser.get('/dashboard/api/tasks?q=status:done')).status).toBe(400);
    expect((await browser.get('/dashboard/api/tasks?limit=500')).status).toBe(400);
  });

  it('pages with a cursor', async () => {
    const server = await startServer({ tokens: true, concurrency: 0 });
    const browser = new Browser(server.origin);
    await browser.login(TOKENS.alice);
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await indexTask(server.runtime, 'alice', `Note ${i}`));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await json<{ tasks: Row[]; nextCursor?: string }>(
        await browser.get(`/dashboard/api/tasks?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`),
      );
      seen.push(...page.tasks.map((t) => t.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids.reverse());
  });

  it('shows a task’s detail with secrets masked, and its outcome once it completes', async () => {
    const server = await startServer({ tokens: true });
    const browser = new Browser(server.origin);
    await browser.login(TOKENS.alice);
    const { task } = await server.runtime.engine.create({
      handler: 'mcp.tool:index_document',
      input: {
        arguments: { library: 'notes', title: 'Keys', content: '# Keys\n\nText.\n', apiKey: 'sk-live-secret' },
        answers: { auth: { password: 'hunter2' } },
      },
      owner: 'alice',
    });
    await server.runtime.engine.waitForTerminal(task.id, 'alice');
    const detail = (await json<{ task: Record<string, unknown> }>(await browser.get(`/dashboard/api/tasks/${task.id}`))).task;
    expect(JSON.stringify(detail)).not.toContain('sk-live-secret');
    expect(JSON.stringify(detail)).not.toContain('hunter2');
    expect(detail.input).toMatchObject({ arguments: { apiKey: '••••••', title: 'Keys' }, answers: { auth: { password: '••••••' } } });
    expect(detail).toMatchObject({ id: task.id, status: expect.any(String), children: [], inputRequests: [], ttlMs: expect.any(Number) });
    expect(detail.outcome).toMatchObject({ kind: expect.stringMatching(/^(result|error)$/) });
  });

  it('cancels a task, answers 409 terminal for a finished one, and cancels a filtered set in bulk', async () => {
    const server = await startServer({ tokens: true, concurrency: 0 });
    const browser = new Browser(server.origin);
    await browser.login(TOKENS.alice);
    const one = await indexTask(server.runtime, 'alice', 'One');
    const cancelled = await browser.post(`/dashboard/api/tasks/${one}/cancel`, {});
    expect(cancelled.status).toBe(200);
    expect((await json<{ task: Row }>(cancelled)).task).toMatchObject({ id: one, status: 'cancelled' });
    const again = await browser.post(`/dashboard/api/tasks/${one}/cancel`, {});
    expect(again.status).toBe(409);
    expect((await json<{ error: { code: string } }>(again)).error.code).toBe('terminal');

    const a = await indexTask(server.runtime, 'alice', 'Bulk apple');
    const b = await indexTask(server.runtime, 'alice', 'Bulk banana');
    const other = await indexTask(server.runtime, 'alice', 'Keep me');
    const bulk = await json<{ matched: number; done: { id: string }[]; skipped: { id: string; reason: string }[] }>(
      await browser.post('/dashboard/api/tasks/bulk', { action: 'cancel', q: 'bulk' }),
    );
    expect(bulk.matched).toBe(2);
    expect(bulk.done.map((d) => d.id).sort()).toEqual([a, b].sort());
    expect((await server.runtime.engine.get(other, 'alice')).status).toBe('working');
    const terminal = await json<{ skipped: { id: string; reason: string }[] }>(
      await browser.post('/dashboard/api/tasks/bulk', { action: 'cancel', q: 'status:cancelled' }),
    );
    expect(terminal.skipped).toHaveLength(3);
    expect((await browser.post('/dashboard/api/tasks/bulk', { action: 'delete', q: '' })).status).toBe(400);
  });

  it('refuses a bulk action over more than 500 tasks with 400 too_many', async () => {
    const server = await startServer({ tokens: true, concurrency: 0 });
    const browser = new Browser(server.origin);
    await browser.login(TOKENS.alice);
    for (let i = 0; i < 501; i++)
      await server.runtime.engine.create({
        handler: 'mcp.tool:index_document',
        input: { arguments: { title: `n${i}` }, answers: {} },
        owner: 'alice',
      });
    const response = await browser.post('/dashboard/api/tasks/bulk', { action: 'cancel', q: '' });
    expect(response.status).toBe(400);
    expect((await json<{ error: { code: string } }>(response)).error.code).toBe('too_many');
    expect((await server.runtime.engine.list({ owner: 'alice', status: 'cancelled' })).tasks).toHaveLength(0);
  });

  it('shows a second owner none of the first owner’s tasks: list, detail, cancel and bulk are as for a missing task', async () => {
    const server = await startServer({ tokens: true, concurrency: 0 });
    const id = await indexTask(server.runtime, 'alice', 'Private');
    const bob = new Browser(server.origin);
    await bob.login(TOKENS.bob);
    expect((await json<{ tasks: Row[] }>(await bob.get('/dashboard/api/tasks'))).tasks).toEqual([]);
    const detail = await bob.get(`/dashboard/api/tasks/${id}`);
    expect(detail.status).toBe(404);
    expect((await json<{ error: { code: string } }>(detail)).error.code).toBe('not_found');
    expect((await bob.post(`/dashboard/api/tasks/${id}/cancel`, {})).status).toBe(404);
    expect((await bob.post(`/dashboard/api/tasks/${id}/retry`, {})).status).toBe(404);
    expect(await json(await bob.post('/dashboard/api/tasks/bulk', { action: 'cancel', q: '' }))).toEqual({
      matched: 0,
      done: [],
      skipped: [],
    });
    expect((await server.runtime.engine.get(id, 'alice')).status).toBe('working');
  });
});
