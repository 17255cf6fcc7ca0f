/**
 * An event stream's backlog is bounded: a client that reads nothing while events pile up gets
 * one `resync` in their place, not an ever-growing queue; a client that keeps up loses nothing.
 */
import { describe, expect, it } from 'vitest';
import { EventStream } from '../../src/dashboard/event-stream.js';

const decoder = new TextDecoder();

async function readOnce(stream: EventStream): Promise<string> {
  const reader = stream.body.getReader();
  const { value } = await reader.read();
  reader.releaseLock();
  return decoder.decode(value);
}

describe('EventStream', () => {
  it('delivers every event to a reader that keeps up', async () => {
    const stream = new EventStream(3, () => {});
    for (let i = 0; i < 10; i++) {
      stream.send('task', { i });
      expect(await readOnce(stream)).toBe(`event: task\ndata: {"i":${i}}\n\n`);
    }
  });

  it('drops a backlog past its bound for one resync event, then carries on', async () => {
    const stream = new EventStream(3, () => {});
    for (let i = 0; i < 1_000; i++) stream.send('task', { i });
    stream.send('task', { i: 'after' });
    expect(await readOnce(stream)).toBe('event: resync\ndata: {}\n\nevent: task\ndata: {"i":"after"}\n\n');
  });

  it('ends the body once closed, after what was queued, and tells its owner once', async () => {
    let closed = 0;
    const stream = new EventStream(3, () => closed++);
    stream.comment('keep-alive');
    stream.close();
    stream.close();
    stream.send('task', {});
    const reader = stream.body.getReader();
    expect(decoder.decode((await reader.read()).value)).toBe(': keep-alive\n\n');
    expect((await reader.read()).done).toBe(true);
    expect(closed).toBe(1);
  });
});
