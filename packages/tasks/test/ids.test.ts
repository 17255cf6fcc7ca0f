import { describe, expect, it } from 'vitest';
import { InvalidCursorError } from '@carrel/tasks';
import { decodeCursor, encodeCursor, newTaskId } from '../src/ids.js';

describe('ids and cursors', () => {
  it('makes 128-bit url-safe ids that do not repeat', () => {
    const ids = new Set(Array.from({ length: 10_000 }, newTaskId));
    expect(ids.size).toBe(10_000);
    for (const id of [...ids].slice(0, 100)) expect(Buffer.from(id, 'base64url')).toHaveLength(16);
  });

  it('never makes an id beginning with "-", which a command line would take for an option', () => {
    // 1 id in 64 would, drawn freely: 10,000 draws all miss it with a chance of 1e-69.
    const ids = Array.from({ length: 10_000 }, newTaskId);
    expect(ids.filter((id) => id.startsWith('-'))).toEqual([]);
    // The other 63 first characters all still occur.
    expect(new Set(ids.map((id) => id[0])).size).toBe(63);
  });

  it('round-trips a list position and rejects anything it did not make', () => {
    expect(decodeCursor(encodeCursor(1_234_567))).toBe(1_234_567);
    expect(decodeCursor(encodeCursor(0))).toBe(0);
    for (const bad of [
      '',
      'c2',
      'c2.!!!',
      `c2.${Buffer.from('{"a":1}').toString('base64url')}`,
      `c2.${Buffer.from('[1.5]').toString('base64url')}`,
      `c2.${Buffer.from('[-1]').toString('base64url')}`,
      `c2.${Buffer.from('[1,2]').toString('base64url')}`,
      // The previous format, (createdAt, id): it could let a task created in the same millisecond onto a later page.
      `c1.${Buffer.from(JSON.stringify([1_763_000_000_000, newTaskId()])).toString('base64url')}`,
    ]) {
      expect(() => decodeCursor(bad)).toThrow(InvalidCursorError);
    }
  });
});
