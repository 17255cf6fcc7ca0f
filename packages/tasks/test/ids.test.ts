import { describe, expect, it } from 'vitest';
import { InvalidCursorError } from '@carrel/tasks';
import { decodeCursor, encodeCursor, newTaskId } from '../src/ids.js';

describe('ids and cursors', () => {
  it('makes 128-bit url-safe ids that do not repeat', () => {
    const ids = new Set(Array.from({ length: 10_000 }, newTaskId));
    expect(ids.size).toBe(10_000);
    for (const id of [...ids].slice(0, 100)) expect(Buffer.from(id, 'base64url')).toHaveLength(16);
  });

  it('round-trips a list position and rejects anything it did not make', () => {
    const position = { createdAt: 1_763_000_000_000, id: newTaskId() };
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
    for (const bad of [
      '',
      'c1',
      'c2.abc',
      'c1.!!!',
      `c1.${Buffer.from('{"a":1}').toString('base64url')}`,
      `c1.${Buffer.from('[1.5,"x"]').toString('base64url')}`,
    ]) {
      expect(() => decodeCursor(bad)).toThrow(InvalidCursorError);
    }
  });
});
