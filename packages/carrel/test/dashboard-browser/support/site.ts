/**
 * A small documentation site on 127.0.0.1 for web connectors to crawl, whose pages can be held:
 * a held page answers only when released, and if the crawler gives up on it first (its fetch
 * aborted by a cancel) the site records that the request was dropped unanswered.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Site {
  url: string;
  /** Paths the crawler has asked for, in order. */
  requested: string[];
  /** Answers a held page (now, or as soon as it is asked for). */
  release(path: string): void;
  /** Resolves when a request for `path` is dropped by the client before its answer. */
  dropped(path: string): Promise<void>;
  /** Resolves when `path` is asked for. */
  asked(path: string): Promise<void>;
  close(): Promise<void>;
}

export const page = (title: string, body: string): string =>
  `<html><head><title>${title}</title></head><body><main><h1>${title}</h1><p>${body} ${'A paragraph long enough to be a chunk of its own. '.repeat(4)}</p></main></body></html>`;

/** Serves `pages` by path (a page `{ redirect }` answers 302 there); the paths in `held` wait for `release`. */
export async function startSite(pages: Record<string, string | { redirect: string }>, held: readonly string[] = []): Promise<Site> {
  const waiting = new Map<string, ServerResponse[]>();
  const released = new Set<string>();
  const waiters: { kind: 'dropped' | 'asked'; path: string; resolve: () => void }[] = [];
  const requested: string[] = [];
  const events: { kind: 'dropped' | 'asked'; path: string }[] = [];
  const record = (kind: 'dropped' | 'asked', path: string) => {
    events.push({ kind, path });
    for (const w of waiters.filter((w) => w.kind === kind && w.path === path)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  const answer = (path: string, res: ServerResponse) => {
    const body = pages[path];
    if (body === undefined) res.writeHead(404).end();
    else if (typeof body === 'object') res.writeHead(302, { location: body.redirect }).end();
    else res.writeHead(200, { 'content-type': 'text/html' }).end(body);
  };
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    requested.push(path);
    record('asked', path);
    if (!held.includes(path) || released.has(path)) return answer(path, res);
    waiting.set(path, [...(waiting.get(path) ?? []), res]);
    res.on('close', () => {
      if (!res.writableEnded) record('dropped', path);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const waitFor = (kind: 'dropped' | 'asked', path: string) =>
    events.some((e) => e.kind === kind && e.path === path)
      ? Promise.resolve()
      : new Promise<void>((resolve) => waiters.push({ kind, path, resolve }));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    requested,
    release(path) {
      released.add(path);
      for (const res of waiting.get(path) ?? []) answer(path, res);
      waiting.delete(path);
    },
    dropped: (path) => waitFor('dropped', path),
    asked: (path) => waitFor('asked', path),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
