/**
 * The event stream over real HTTP: pushed from the engine's change feed as real tasks run, only
 * the session owner's, with keep-alives; ended by logout and by the server's close (which must
 * still be prompt with streams open).
 */
import { connect } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
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

  it('stops watching the engine when the client goes away', async () => {
    const server = await startServer({ tokens: true });
    const engine = server.runtime.engine;
    const watch = engine.watch.bind(engine);
    let watching = 0;
    vi.spyOn(engine, 'watch').mockImplementation((filter, listener) => {
      watching++;
      const unwatch = watch(filter, listener);
      return () => {
        watching--;
        unwatch();
      };
    });
    const browser = new Browser(server.origin);
    await browser.login(TOKENS.alice);
    const leave = new AbortController();
    const response = await browser.fetch('/dashboard/api/events', { signal: leave.signal });
    expect(response.status).toBe(200);
    expect(watching).toBe(1);
    leave.abort();
    await expect.poll(() => watching).toBe(0);
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

  it('ends every open stream when the dashboard closes (before the server stops)', async () => {
    const server = await startServer({ tokens: true });
    const browser = new Browser(server.origin);
    await browser.login(TOKENS.alice);
    const readers = await Promise.all([1, 2].map(async () => new EventReader(await browser.get('/dashboard/api/events'))));
    server.dashboard.close();
    await Promise.all(readers.map((reader) => reader.finished()));
    // The server itself still answers.
    expect((await browser.get('/dashboard/api/session')).status).toBe(200);
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

describe('dashboard events for a client that stops reading', { timeout: 120_000 }, () => {
  it('drops what piles up for one resync event instead of buffering it all', async () => {
    // Five events may wait; each task event carries a 256 KiB status message: 120 of them (30 MiB) outgrow any socket buffers.
    const server = await startServer({ tokens: true, concurrency: 0, dashboard: { events: { maxPending: 5 } } });
    const browser = new Browser(server.origin);
    await browser.login(TOKENS.alice);
    const ids = [];
    for (let i = 0; i < 120; i++) ids.push(await indexTask(server.runtime, 'alice', `Slow ${i}`));
    const { hostname, port } = new URL(server.origin);
    const socket = connect({ host: hostname, port: Number(port) });
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(`GET /dashboard/api/events HTTP/1.1\r\nHost: ${hostname}:${port}\r\nCookie: ${browser.cookie}\r\n\r\n`);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    await expect.poll(() => Buffer.concat(chunks).toString()).toContain('text/event-stream');
    socket.pause();
    const long = 'x'.repeat(256 * 1024);
    for (const id of ids) await server.runtime.engine.cancel(id, 'alice', long);
    socket.resume();
    const text = () => Buffer.concat(chunks).toString();
    await expect.poll(text, { timeout: 30_000 }).toContain('event: resync');
    const delivered = text().split('event: task\n').length - 1;
    expect(delivered).toBeLessThan(ids.length);
    socket.destroy();
  });
});
