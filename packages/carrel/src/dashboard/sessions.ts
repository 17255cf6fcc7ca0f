/**
 * Browser sessions: a random 256-bit id in an HttpOnly cookie, mapped in memory to the principal
 * that logged in and a CSRF token (a node restart logs everyone out). A session ends at logout,
 * when its OAuth token expires, or after 12 hours; whoever holds a live stream of it is told.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { Principal } from './access.js';

/** The cookie's name; its path is the dashboard's. */
export const SESSION_COOKIE = 'carrel_session';
/** The longest a session lives. */
export const SESSION_MAX_MS = 12 * 60 * 60_000;
/** Sessions kept at once (a memory bound); beyond it the oldest is ended. */
const MAX_SESSIONS = 10_000;

export interface Session {
  id: string;
  principal: Principal;
  csrfToken: string;
  expiresAt: number;
}

/** The live sessions of one server. */
export class Sessions {
  readonly #sessions = new Map<string, Session>();
  readonly #onEnd = new Map<string, Set<() => void>>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Opens a session for `principal`, ending no later than its token does. */
  open(principal: Principal): Session {
    if (this.#sessions.size >= MAX_SESSIONS) this.end(this.#sessions.keys().next().value!);
    const expiresAt = Math.min(this.now() + SESSION_MAX_MS, principal.expiresAt ?? Infinity);
    const session = { id: randomToken(), principal, csrfToken: randomToken(), expiresAt };
    this.#sessions.set(session.id, session);
    return session;
  }

  /** The live session with this id, if any (an expired one is ended now). */
  get(id: string | undefined): Session | undefined {
    const session = id === undefined ? undefined : this.#sessions.get(id);
    if (!session) return undefined;
    if (session.expiresAt > this.now()) return session;
    this.end(session.id);
    return undefined;
  }

  /** Ends a session and tells its listeners. */
  end(id: string): void {
    this.#sessions.delete(id);
    const listeners = this.#onEnd.get(id);
    this.#onEnd.delete(id);
    for (const listener of listeners ?? []) listener();
  }

  /** Calls `listener` once when the session ends (logout, expiry, eviction); returns an unsubscribe. */
  onEnd(id: string, listener: () => void): () => void {
    const listeners = this.#onEnd.get(id) ?? new Set();
    this.#onEnd.set(id, listeners.add(listener));
    return () => listeners.delete(listener);
  }
}

const randomToken = () => randomBytes(32).toString('base64url');
