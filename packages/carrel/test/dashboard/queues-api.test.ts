/**
 * Queue figures asked for again within a second are reused, per owner and window, unless computed
 * before a change the caller saw: every open event stream of an owner asks as its tasks change,
 * and ten pages must cost the store what one does, without showing stale figures.
 */
import { MemoryTaskStore, TaskEngine } from '@carrel/tasks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { queuesOf } from '../../src/dashboard/queues-api.js';

const engines: TaskEngine[] = [];
afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.stop();
});

const principal = (owner: string) => ({ principal: owner, owner, scopes: [] });

describe('queuesOf', () => {
  it('computes once per owner and window within a second, and again after it', async () => {
    const engine = new TaskEngine({ store: new MemoryTaskStore(), handlers: { echo: async (input: unknown) => input } });
    engines.push(engine);
    await engine.start();
    await engine.create({ handler: 'echo', input: 1, owner: 'alice' });
    const stats = vi.spyOn(engine, 'queueStats');
    let now = 1_000_000;
    const queues = queuesOf(engine, () => now);

    const [a, b] = await Promise.all([queues(principal('alice'), false), queues(principal('alice'), false)]);
    expect(a).toBe(b);
    expect(stats).toHaveBeenCalledTimes(1);
    expect(a).toMatchObject({ tools: [{ tool: 'echo' }] });
    await queues(principal('bob'), false);
    await queues(principal('alice'), false, '15m');
    expect(stats).toHaveBeenCalledTimes(3);
    // Figures older than a change the caller saw are not reused.
    now += 10;
    await queues(principal('alice'), false, '1h', now - 1);
    expect(stats).toHaveBeenCalledTimes(4);
    await queues(principal('alice'), false, '1h', now - 1);
    expect(stats).toHaveBeenCalledTimes(4);
    now += 1_000;
    await queues(principal('alice'), false);
    expect(stats).toHaveBeenCalledTimes(5);
    await expect(queues(principal('alice'), false, '2d')).rejects.toMatchObject({ code: 'bad_request' });
  });
});
