/**
 * Streams of one owner share one engine watch: a change is read from the store once, however many
 * pages are open, new tasks included, serialized once for all of them, and the watch ends with the
 * owner's last stream.
 */
import { MemoryTaskStore, TaskEngine } from '@carrel/tasks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TaskFeed, type FeedChange } from '../../src/dashboard/task-feed.js';

const engines: TaskEngine[] = [];
afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.stop();
});

describe('TaskFeed', () => {
  it('reads and serializes each change once for all of an owner’s streams, and stops watching after the last leaves', async () => {
    const store = new MemoryTaskStore();
    const engine = new TaskEngine({ store, handlers: { echo: async (input: unknown) => input }, concurrency: 0 });
    engines.push(engine);
    await engine.start();
    const watch = vi.spyOn(engine, 'watch');
    const feed = new TaskFeed(engine);
    const heard: FeedChange[][] = Array.from({ length: 10 }, () => []);
    const unsubscribes = heard.map((events) => feed.subscribe('alice', (event) => events.push(event)));
    const bob: FeedChange[] = [];
    feed.subscribe('bob', (event) => bob.push(event));
    expect(watch).toHaveBeenCalledTimes(2);

    const { task } = await engine.create({ handler: 'echo', input: 1, owner: 'alice' });
    // A new task is told too: the page lists it before it first changes.
    await vi.waitFor(() => expect(heard.every((events) => events.length === 1)).toBe(true));
    expect(heard[0]![0]!.event).toBe('task');
    expect(JSON.parse(heard[0]![0]!.json)).toMatchObject({ id: task.id, status: 'working' });
    const reads = vi.spyOn(store, 'get');
    await engine.cancel(task.id, 'alice');
    await vi.waitFor(() => expect(heard.every((events) => events.length === 2)).toBe(true));
    expect(reads).toHaveBeenCalledTimes(1);
    expect(JSON.parse(heard[0]![1]!.json)).toMatchObject({ id: task.id, status: 'cancelled' });
    // The same change object, serialized once, reaches every stream.
    expect(heard.every((events) => events[1] === heard[0]![1])).toBe(true);
    expect(bob).toEqual([]);

    for (const unsubscribe of unsubscribes) unsubscribe();
    const { task: later } = await engine.create({ handler: 'echo', input: 2, owner: 'alice' });
    reads.mockClear();
    await engine.cancel(later.id, 'alice');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(reads).not.toHaveBeenCalled();
    expect(heard.every((events) => events.length === 2)).toBe(true);
    // A new stream of the owner watches again.
    feed.subscribe('alice', () => {});
    expect(watch).toHaveBeenCalledTimes(3);
  });
});
