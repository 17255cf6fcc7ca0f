/**
 * The operator's view: a principal holding `carrel:operator` (whoever runs the node: `carrel
 * serve --token` grants it) sees and steers every owner's tasks and narrows them with `owner:`;
 * its event stream carries every owner's changes. Everyone else still sees only their own owner's,
 * and `owner:` is refused to them.
 */
import { describe, expect, it } from 'vitest';
import { Browser, indexTask, startServer, TOKENS } from './support/dashboard-server.js';
import { EventReader } from './support/sse.js';

type Row = { id: string; status: string; owner: string; retryOf: string | null };
const json = async <T>(response: Response): Promise<T> => (await response.json()) as T;

describe('dashboard operator view', { timeout: 60_000 }, () => {
  it("lists, reads, cancels and retries any owner's task, narrows by owner:, and hears every owner's changes", async () => {
    // No worker: the tasks stay `working` until cancelled.
    const server = await startServer({ tokens: true, concurrency: 0 });
    const operator = new Browser(server.origin);
    expect(await operator.login(TOKENS.operator)).toMatchObject({ owner: 'ops', operator: true, canAct: true });
    const alice = new Browser(server.origin);
    expect(await alice.login(TOKENS.alice)).toMatchObject({ operator: false });

    const events = new EventReader(await operator.get('/dashboard/api/events'));
    const ofAlice = await indexTask(server.runtime, 'alice', 'Alice note');
    const ofBob = await indexTask(server.runtime, 'bob', 'Bob note');
    const list = async (browser: Browser, q: string) =>
      (await json<{ tasks: Row[] }>(await browser.get(`/dashboard/api/tasks?q=${encodeURIComponent(q)}`))).tasks.map((t) => t.id);
    expect(await list(operator, '')).toEqual([ofBob, ofAlice]);
    expect(await list(operator, 'owner:bob')).toEqual([ofBob]);
    expect(await list(operator, 'owner:alice note')).toEqual([ofAlice]);
    // A new task of any owner reaches the operator's stream before it first changes.
    await events.next((e) => e.event === 'task' && (e.data as Row).id === ofBob);

    const detail = await json<{ task: Row }>(await operator.get(`/dashboard/api/tasks/${ofAlice}`));
    expect(detail.task).toMatchObject({ id: ofAlice, owner: 'alice' });
    const cancelled = await operator.post(`/dashboard/api/tasks/${ofAlice}/cancel`, {});
    expect(cancelled.status).toBe(200);
    expect((await server.runtime.engine.get(ofAlice, 'alice')).status).toBe('cancelled');
    await events.next((e) => e.event === 'task' && (e.data as Row).id === ofAlice && (e.data as Row).status === 'cancelled');
    const retried = await json<{ task: Row }>(await operator.post(`/dashboard/api/tasks/${ofAlice}/retry`, {}));
    expect(retried.task).toMatchObject({ owner: 'alice', retryOf: ofAlice });

    // Everyone else: their own owner's tasks only, and no owner: qualifier.
    expect(await list(alice, '')).toEqual([retried.task.id, ofAlice]);
    const refused = await alice.get(`/dashboard/api/tasks?q=${encodeURIComponent('owner:bob')}`);
    expect(refused.status).toBe(400);
    expect((await json<{ error: { code: string } }>(refused)).error.code).toBe('bad_query');
    expect((await alice.get(`/dashboard/api/tasks/${ofBob}`)).status).toBe(404);
  });
});
