/**
 * Retry and queues over real HTTP with real tasks: a failed task retried from the page is a new
 * task linked to it (the old one unchanged), a live one is 409 not_retryable, bulk retry of
 * `status:failed`; the queue figures count per tool and bucket finished tasks in the window.
 */
import { describe, expect, it } from 'vitest';
import { Browser, startServer, TOKENS } from './support/dashboard-server.js';

type Row = {
  id: string;
  status: string;
  tool: string | null;
  retryOf: string | null;
  startedAt: number | null;
  finishedAt: number | null;
  node: string | null;
};
const json = async <T>(response: Response): Promise<T> => (await response.json()) as T;

/**
 * An index_document task with no arguments object (which the MCP layer would have refused): the
 * tool throws reading it, so the task fails at once, for good. `note` tells tasks apart.
 */
async function failingTask(server: Awaited<ReturnType<typeof startServer>>, note: string): Promise<string> {
  const { task } = await server.runtime.engine.create({
    handler: 'mcp.tool:index_document',
    input: { arguments: null, answers: {}, note },
    owner: 'alice',
  });
  expect((await server.runtime.engine.waitForTerminal(task.id, 'alice')).status).toBe('failed');
  return task.id;
}

describe('dashboard retry and queues', { timeout: 60_000 }, () => {
  it('retries a failed task as a new linked task and leaves the old one as it was', async () => {
    const server = await startServer({ tokens: true });
    const browser = new Browser(server.origin);
    await browser.login(TOKENS.alice);
    const failed = await failingTask(server, 'Broken');
    const before = await server.runtime.engine.get(failed, 'alice');
    const response = await browser.post(`/dashboard/api/tasks/${failed}/retry`, {});
    expect(response.status).toBe(201);
    const { task } = await json<{ task: Row }>(response);
    expect(task).toMatchObject({ retryOf: failed, tool: 'index_document' });
    expect(task.id).not.toBe(failed);
    expect(await server.runtime.engine.get(failed, 'alice')).toEqual(before);
    const detail = (
      await json<{ task: Row & { lastError: unknown; outcome: { kind: string } } }>(await browser.get(`/dashboard/api/tasks/${failed}`))
    ).task;
    expect(detail).toMatchObject({
      status: 'failed',
      outcome: { kind: 'error' },
      startedAt: expect.any(Number),
      finishedAt: expect.any(Number),
      node: server.runtime.engine.worker,
    });
  });

  it('answers 409 not_retryable for a task that did not fail or get cancelled', async () => {
    const server = await startServer({ tokens: true, concurrency: 0 });
    const browser = new Browser(server.origin);
    await browser.login(TOKENS.alice);
    const { task } = await server.runtime.engine.create({
      handler: 'mcp.tool:index_document',
      input: { arguments: {}, answers: {} },
      owner: 'alice',
    });
    const response = await browser.post(`/dashboard/api/tasks/${task.id}/retry`, {});
    expect(response.status).toBe(409);
    expect((await json<{ error: { code: string } }>(response)).error.code).toBe('not_retryable');
    expect((await browser.post('/dashboard/api/tasks/0123456789abcdef0123456789abcdef/retry', {})).status).toBe(404);
  });

  it('retries every failed task in bulk, skipping the rest', async () => {
    const server = await startServer({ tokens: true });
    const browser = new Browser(server.origin);
    await browser.login(TOKENS.alice);
    const a = await failingTask(server, 'A');
    const b = await failingTask(server, 'B');
    const result = await json<{ matched: number; done: { id: string; newId: string }[]; skipped: unknown[] }>(
      await browser.post('/dashboard/api/tasks/bulk', { action: 'retry', q: 'status:failed' }),
    );
    expect(result.matched).toBe(2);
    expect(result.done.map((d) => d.id).sort()).toEqual([a, b].sort());
    for (const { id, newId } of result.done) expect((await server.runtime.engine.get(newId, 'alice')).retryOf).toBe(id);
    expect(result.skipped).toEqual([]);
  });

  it('counts queues per tool and buckets finished tasks over the window', async () => {
    const server = await startServer({ tokens: true });
    const browser = new Browser(server.origin);
    await browser.login(TOKENS.alice);
    await failingTask(server, 'Q');
    const queues = await json<{
      tools: { tool: string; failed: number }[];
      series: { bucketMs: number; buckets: number; perTool: Record<string, { failed: number[] }> };
    }>(await browser.get('/dashboard/api/queues?window=15m'));
    expect(queues.tools).toEqual([expect.objectContaining({ tool: 'index_document', failed: 1, working: 0, waiting: 0 })]);
    expect(queues.series.bucketMs).toBe(15_000);
    expect(queues.series.perTool.index_document!.failed.reduce((x, y) => x + y, 0)).toBe(1);
    expect((await browser.get('/dashboard/api/queues?window=2d')).status).toBe(400);
    // Another owner's figures hold none of Alice's tasks.
    const bob = new Browser(server.origin);
    await bob.login(TOKENS.bob);
    expect((await json<{ tools: unknown[] }>(await bob.get('/dashboard/api/queues'))).tools).toEqual([]);
  });
});
