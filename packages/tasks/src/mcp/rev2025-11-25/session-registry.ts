/**
 * The open 2025-11-25 HTTP sessions, grouped by the principal that opened each, with two bounds:
 * a cap per principal, and a global cap on memory. One principal opening sessions in a loop must
 * not close anyone else's: past its own cap it loses its own least recently used session, and past
 * the global cap the least recently used session of the principal holding the most sessions goes.
 * Anonymous sessions (an unauthenticated endpoint, where nothing tells clients apart) form one group
 * with no cap of its own; only the global cap bounds it.
 *
 * @module
 */

/** How many sessions may stay open. */
export interface SessionLimits {
  /** All sessions together: the memory bound. */
  maxSessions: number;
  /** Sessions of one authenticated principal. */
  maxSessionsPerPrincipal: number;
}

/** One open session. */
export interface SessionEntry<T> {
  readonly id: string;
  /** The principal that opened it; null on an unauthenticated endpoint. */
  readonly principal: string | null;
  readonly value: T;
  lastUsed: number;
}

/** Sessions in least-recently-used order, overall and per principal. */
export class SessionRegistry<T> {
  /** Map order is use order: a touched session is moved to the end. */
  readonly #all = new Map<string, SessionEntry<T>>();
  readonly #byPrincipal = new Map<string | null, Map<string, SessionEntry<T>>>();

  constructor(private readonly limits: SessionLimits) {}

  /** Open sessions. */
  get size(): number {
    return this.#all.size;
  }

  /** The open session with this id. */
  get(id: string): SessionEntry<T> | undefined {
    return this.#all.get(id);
  }

  /** Marks a session used now. */
  touch(entry: SessionEntry<T>, now: number): void {
    entry.lastUsed = now;
    const group = this.#byPrincipal.get(entry.principal)!;
    for (const map of [this.#all, group]) {
      map.delete(entry.id);
      map.set(entry.id, entry);
    }
  }

  /** Adds a session and returns the sessions evicted to make room (the caller closes them). */
  add(id: string, principal: string | null, value: T, now: number): Array<SessionEntry<T>> {
    const entry: SessionEntry<T> = { id, principal, value, lastUsed: now };
    this.#all.set(id, entry);
    const group = this.#byPrincipal.get(principal) ?? new Map<string, SessionEntry<T>>();
    this.#byPrincipal.set(principal, group);
    group.set(id, entry);
    const evicted: Array<SessionEntry<T>> = [];
    if (principal !== null && group.size > this.limits.maxSessionsPerPrincipal) evicted.push(this.#evictOldest(group));
    while (this.#all.size > this.limits.maxSessions) evicted.push(this.#evictOldest(this.#largestGroup()));
    return evicted;
  }

  /** Forgets a session (it closed). */
  remove(id: string): void {
    const entry = this.#all.get(id);
    if (!entry) return;
    this.#all.delete(id);
    const group = this.#byPrincipal.get(entry.principal)!;
    group.delete(id);
    if (group.size === 0) this.#byPrincipal.delete(entry.principal);
  }

  /** Removes and returns every session last used at or before `cutoff`. */
  removeIdle(cutoff: number): Array<SessionEntry<T>> {
    const idle: Array<SessionEntry<T>> = [];
    for (const entry of this.#all.values()) {
      if (entry.lastUsed > cutoff) break; // use order: everything after is newer
      idle.push(entry);
    }
    for (const entry of idle) this.remove(entry.id);
    return idle;
  }

  /** Every session, for shutdown. */
  removeAll(): Array<SessionEntry<T>> {
    const all = [...this.#all.values()];
    this.#all.clear();
    this.#byPrincipal.clear();
    return all;
  }

  #evictOldest(group: Map<string, SessionEntry<T>>): SessionEntry<T> {
    const oldest = group.values().next().value!;
    this.remove(oldest.id);
    return oldest;
  }

  /** The group holding the most sessions; on a tie, the one whose oldest session was used least recently. */
  #largestGroup(): Map<string, SessionEntry<T>> {
    let largest: Map<string, SessionEntry<T>> | undefined;
    for (const group of this.#byPrincipal.values()) {
      if (
        !largest ||
        group.size > largest.size ||
        (group.size === largest.size && group.values().next().value!.lastUsed < largest.values().next().value!.lastUsed)
      )
        largest = group;
    }
    return largest!;
  }
}
