/**
 * The event stream over real HTTP: pushed from the engine's change feed as real tasks run, only
 * the session owner's, with keep-alives; ended by logout and by the server's close (which must
 * still be prompt with streams open).
 */
import { describe, expect, it } from 'vitest';
import { Browser, indexTask, startServer, TOKENS } from './support/dashboard-server.js';
import { EventReader } from './support/sse.js';

describe('dashboard events', { timeout: 60_000 }, () => {
  it('pushes the owner’s task changes as they happen, and none of another owner’s', async () => {
    const server = await startServer({ tokens: true });
    const alice = new Browser(server.origin);
    await alice.login(TOKENS.alice);
    const bob = new Browser(server.origin);
    await bob.login(TOKENS.bob);
    const aliceStream = await alice.get('/dashboard/api/events');
    expect(aliceStream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const aliceEvents = new EventReader(aliceStream);
    const bobEvents = new EventReader(await bob.get('/dashboard/api/events'));

    const id = await indexTask(server.runtime, 'alice', 'Watched');
    const done = await aliceEvents.next((e) => e.event === 'task' && (e.data as { id: string; status: string }).status === 'completed');
    expect(done.data).toMatchObject({ id, owner: 'alice', tool: 'index_document' });
    // Bob's own task arrives on his stream after Alice's finished: had hers been sent to him, it would be there first.
    const his = await indexTask(server.runtime, 'bob', 'His');
    await bobEvents.next((e) => e.event === 'task' && (e.data as { id: string; status: string }).status === 'completed');
    const ids = (reader: EventReader) => reader.events.filter((e) => e.event === 'task').map((e) => (e.data as { id: string }).id);
    expect(new Set(ids(bobEvents))).toEqual(new Set([his]));
    expect(ids(aliceEvents)).not.toContain(his);
    // The queue figures pushed to each are their own: one finished index_document each.
    const queues = await bobEvents.next((e) => e.event === 'queues' && JSON.stringify(e.data).includes('"completed":1'));
    expect((queues.data as { tools: unknown[] }).tools).toEqual([
      expect.objectContaining({ tool: 'index_document', completed: 1, working: 0 }),
    ]);
  });

  it('sends keep-alive comments while quiet', async () => {
    const server = await startServer({ tokens: true, dashboard: { events: { keepAliveMs: 50 } } });
    const browser = new Browser(server.origin);
    await browser.login(TOKENS.alice);
    const reader = new EventReader(await browser.get('/dashboard/api/events'));
    await expect.poll(() => reader.comments.length).toBeGreaterThanOrEqual(2);
    expect(reader.comments[0]).toBe('keep-alive');
  });

  it('ends the stream at logout', async () => {
    const server = await startServer({ tokens: true });
    const browser = new Browser(server.origin);
    await browser.login(TOKENS.alice);
    const reader = new EventReader(await browser.get('/dashboard/api/events'));
    expect((await browser.post('/dashboard/api/logout', {})).status).toBe(204);
    await reader.finished();
    expect(reader.ended).toBe(true);
  });

  it('closes the server promptly with streams open', async () => {
    const server = await startServer({ tokens: true });
    const browser = new Browser(server.origin);
    await browser.login(TOKENS.alice);
    const readers = await Promise.all([1, 2, 3].map(async () => new EventReader(await browser.get('/dashboard/api/events'))));
    const started = performance.now();
    await server.close();
    expect(performance.now() - started).toBeLessThan(3_000);
    await Promise.all(readers.map((reader) => reader.finished()));
  });
});
