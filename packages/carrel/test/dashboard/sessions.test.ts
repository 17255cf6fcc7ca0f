/**
 * Sessions end at logout, at their 12-hour limit, and when the token they were opened with
 * expires, whichever comes first; whoever listens (an event stream) is told once.
 */
import { describe, expect, it } from 'vitest';
import { SESSION_MAX_MS, Sessions } from '../../src/dashboard/sessions.js';

const alice = { principal: 'alice', owner: 'alice', scopes: ['carrel:read'] };

describe('Sessions', () => {
  it('gives unguessable ids and CSRF tokens, 256 bits each', () => {
    const sessions = new Sessions();
    const a = sessions.open(alice);
    const b = sessions.open(alice);
    expect(a.id).toMatch(/^[\w-]{43}$/);
    expect(new Set([a.id, b.id, a.csrfToken, b.csrfToken]).size).toBe(4);
  });

  it('expires after 12 hours, or with its token if sooner, and tells listeners', () => {
    let now = 1_000;
    const sessions = new Sessions(() => now);
    const long = sessions.open(alice);
    const short = sessions.open({ ...alice, expiresAt: now + 60_000 });
    let ended = 0;
    sessions.onEnd(short.id, () => ended++);
    now += 60_000;
    expect(sessions.get(short.id)).toBeUndefined();
    expect(ended).toBe(1);
    expect(sessions.get(long.id)).toBe(long);
    now = 1_000 + SESSION_MAX_MS;
    expect(sessions.get(long.id)).toBeUndefined();
  });

  it('ends at logout; a listener that unsubscribed is not called', () => {
    const sessions = new Sessions();
    const session = sessions.open(alice);
    let heard = 0;
    const unsubscribe = sessions.onEnd(session.id, () => heard++);
    unsubscribe();
    sessions.end(session.id);
    expect(heard).toBe(0);
    expect(sessions.get(session.id)).toBeUndefined();
  });
});
