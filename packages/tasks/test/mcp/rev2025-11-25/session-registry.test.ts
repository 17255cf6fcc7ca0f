/** The 2025-11-25 session bounds: a principal over its cap loses its own sessions, never another's. */
import { describe, expect, it } from 'vitest';
import { SessionRegistry } from '../../../src/mcp/rev2025-11-25/session-registry.js';

function registry(maxSessions: number, maxSessionsPerPrincipal: number) {
  const sessions = new SessionRegistry<string>({ maxSessions, maxSessionsPerPrincipal });
  let now = 0;
  const open = (id: string, principal: string | null) => sessions.add(id, principal, id, ++now).map((s) => s.id);
  return { sessions, open, touch: (id: string) => sessions.touch(sessions.get(id)!, ++now) };
}

describe('SessionRegistry', () => {
  it("closes a principal's own least recently used session beyond its cap", () => {
    const { sessions, open, touch } = registry(100, 3);
    open('bob-1', 'bob');
    expect([open('a1', 'alice'), open('a2', 'alice'), open('a3', 'alice')]).toEqual([[], [], []]);
    touch('a1');
    expect(open('a4', 'alice')).toEqual(['a2']);
    expect(open('a5', 'alice')).toEqual(['a3']);
    expect(sessions.get('bob-1')).toBeDefined();
    expect(sessions.size).toBe(4);
  });

  it('past the global cap, closes the oldest session of the principal holding the most, not the oldest overall', () => {
    const { sessions, open } = registry(4, 3);
    open('bob-1', 'bob');
    open('bob-2', 'bob');
    open('a1', 'alice');
    open('a2', 'alice');
    // bob-1 is the oldest session overall, but alice now holds the most: her oldest goes.
    expect(open('a3', 'alice')).toEqual(['a1']);
    expect(sessions.get('bob-1')).toBeDefined();
    expect(sessions.size).toBe(4);
  });

  it('on a tie in size, closes from the group whose oldest session was used least recently', () => {
    const { open } = registry(3, 10);
    open('c1', 'carol');
    open('d1', 'dave');
    open('d2', 'dave');
    expect(open('c2', 'carol')).toEqual(['c1']);
  });

  it('gives anonymous sessions no per-principal cap, only the global one', () => {
    const { sessions, open } = registry(3, 1);
    expect([open('x1', null), open('x2', null), open('x3', null)]).toEqual([[], [], []]);
    expect(open('x4', null)).toEqual(['x1']);
    expect(sessions.size).toBe(3);
  });

  it('removes idle sessions and forgets closed ones', () => {
    const { sessions, open, touch } = registry(10, 10);
    open('s1', 'p');
    open('s2', 'p');
    open('s3', 'q');
    touch('s1');
    expect(sessions.removeIdle(3).map((s) => s.id)).toEqual(['s2', 's3']);
    sessions.remove('s1');
    expect(sessions.size).toBe(0);
    expect(open('s4', 'p')).toEqual([]);
  });
});
