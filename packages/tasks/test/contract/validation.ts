/** Bad input: typed errors naming what was wrong, and nothing stored. */
import { describe, expect, it } from 'vitest';
import { HandlerNotAllowedError, InvalidArgumentError, InvalidCursorError, PayloadTooLargeError, type TaskContext } from '@carrel/tasks';
import type { ContractFixture } from './fixture.js';

export function validationContract(f: ContractFixture): void {
  describe('bad input', () => {
    it('rejects unknown handlers, bad ttls, bad attempts, oversized payloads and malformed cursors, storing nothing', async () => {
      const engine = await f.engine({ job: async () => null }, { concurrency: 0, maxPayloadBytes: 1_000 });
      const base = { handler: 'job', input: null, owner: 'alice' };
      await expect(engine.create({ ...base, handler: 'rm -rf' })).rejects.toBeInstanceOf(HandlerNotAllowedError);
      for (const ttlMs of [-1, 0, 1.5, Number.NaN, '60000' as unknown as number]) {
        await expect(engine.create({ ...base, ttlMs })).rejects.toThrow(
          new InvalidArgumentError('ttlMs', 'a positive integer number of milliseconds, or null'),
        );
      }
      await expect(engine.create({ ...base, maxAttempts: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(engine.create({ ...base, owner: '' })).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(engine.create({ ...base, input: 'x'.repeat(2_000) })).rejects.toBeInstanceOf(PayloadTooLargeError);
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      await expect(engine.create({ ...base, input: circular })).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(engine.create({ ...base, parentId: 'nope' })).rejects.toThrow('Task not found');
      for (const cursor of ['garbage', 'c1.', 'c1.bm90IGpzb24', `c1.${Buffer.from('[1]').toString('base64url')}`]) {
        await expect(engine.list({ owner: 'alice', cursor })).rejects.toBeInstanceOf(InvalidCursorError);
      }
      await expect(engine.list({ owner: 'alice', limit: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(engine.list({ owner: 'alice', status: 'done' as never })).rejects.toBeInstanceOf(InvalidArgumentError);
      expect((await engine.list({ owner: 'alice' })).tasks).toEqual([]);
    });

    it('rejects NUL characters, which not every backend can store, in names and payloads alike', async () => {
      const engine = await f.engine({ nul: async () => 'a\u0000b' }, { concurrency: 1 });
      const base = { handler: 'nul', input: null, owner: 'alice' };
      await expect(engine.create({ ...base, owner: 'al\u0000ice' })).rejects.toThrow(
        new InvalidArgumentError('owner', 'a string of 1 to 256 characters without NUL'),
      );
      await expect(engine.create({ ...base, uniqueKey: 'k\u0000' })).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(engine.create({ ...base, input: { text: 'x\u0000y' } })).rejects.toThrow(
        new InvalidArgumentError('input', 'JSON without NUL characters (U+0000)'),
      );
      expect((await engine.list({ owner: 'alice' })).tasks).toEqual([]);
      const { task } = await engine.create(base);
      const done = await engine.waitForTerminal(task.id, 'alice');
      expect(done.status).toBe('failed');
      expect(done.outcome).toMatchObject({ error: { message: expect.stringMatching(/Cannot store the task's result: .*NUL/) } });
    });

    it('finds a NUL character in any key or string value, however deep', async () => {
      const engine = await f.engine({ job: async () => null }, { concurrency: 0 });
      const base = { handler: 'job', owner: 'alice' };
      for (const input of [{ ['k\u0000']: 1 }, [[{ deep: ['ok', 'x\u0000'] }]], '\u0000', { toJSON: () => ({ via: 'to\u0000JSON' }) }]) {
        await expect(engine.create({ ...base, input })).rejects.toThrow(
          new InvalidArgumentError('input', 'JSON without NUL characters (U+0000)'),
        );
      }
      expect((await engine.list({ owner: 'alice' })).tasks).toEqual([]);
    });

    it('accepts the escaped text \\u0000 (six characters, no NUL) in keys, values and results', async () => {
      const escaped = String.raw`\u0000`;
      const document = { [`${escaped} in a key`]: `In JSON, C and SQL, ${escaped} and "\\0" write a NUL character.`, list: [escaped] };
      const engine = await f.engine({ echo: async (input: unknown) => ({ echoed: input, also: escaped }) });
      const { task } = await engine.create({ handler: 'echo', input: document, owner: 'alice' });
      expect((await engine.get(task.id, 'alice')).input).toEqual(document);
      const done = await engine.waitForTerminal(task.id, 'alice');
      expect(done.outcome).toEqual({ result: { echoed: document, also: escaped } });
    });

    it('round-trips large inputs and results', async () => {
      const big = { text: 'é'.repeat(1_000_000), numbers: Array.from({ length: 50_000 }, (_, i) => i) };
      const engine = await f.engine({ echo: async (input: typeof big) => ({ ...input, seen: input.numbers.length }) });
      const { task } = await engine.create({ handler: 'echo', input: big, owner: 'alice' });
      expect((await engine.get(task.id, 'alice')).input).toEqual(big);
      const done = await engine.waitForTerminal(task.id, 'alice');
      expect(done.outcome).toEqual({ result: { ...big, seen: 50_000 } });
    });

    it('fails a task whose result is over the payload limit instead of storing it', async () => {
      const engine = await f.engine({ huge: async () => 'y'.repeat(5_000) }, { maxPayloadBytes: 1_000 });
      const { task } = await engine.create({ handler: 'huge', input: null, owner: 'alice', maxAttempts: 3 });
      const done = await engine.waitForTerminal(task.id, 'alice');
      expect(done.status).toBe('failed');
      expect(done.attempt).toBe(1);
      expect(done.outcome).toMatchObject({ error: { message: expect.stringMatching(/result is \d+ bytes/) } });
    });

    it('rejects oversized input requests and responses', async () => {
      const engine = await f.engine(
        { ask: async (_: null, ctx: TaskContext) => ctx.requestInput('k', { blob: 'z'.repeat(5_000) }) },
        { maxPayloadBytes: 1_000 },
      );
      const { task } = await engine.create({ handler: 'ask', input: null, owner: 'alice', maxAttempts: 1 });
      expect((await engine.waitForTerminal(task.id, 'alice')).outcome).toMatchObject({
        error: { message: expect.stringMatching(/input request/) },
      });
      await expect(engine.respond(task.id, 'alice', { k: 'z'.repeat(5_000) })).rejects.toBeInstanceOf(PayloadTooLargeError);
    });
  });
}
