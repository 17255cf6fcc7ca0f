import { describe, expect, it } from 'vitest';
import { nulPath } from '../../src/engine/payload.js';

describe('nulPath', () => {
  it('names the key or string holding a NUL, as JSON would write it', () => {
    expect(nulPath({ a: { b: ['x', 'y\u0000'] } })).toBe('a.b.1');
    expect(nulPath({ ['k\u0000']: 1 })).toBe('k\u0000');
    expect(nulPath('\u0000')).toBe('(root)');
    expect(nulPath({ when: { toJSON: () => 'later\u0000' } })).toBe('when');
  });

  it('finds none in the six characters of the escape itself, or in values JSON drops', () => {
    expect(nulPath({ doc: 'write \\u0000 in JSON', skip: undefined, list: [1, null] })).toBeNull();
  });
});
