/**
 * stdio: a single-user transport. Every task belongs to the local user, so a client that
 * reconnects, or a server restarted on the same store, still sees its tasks. Each connection is a
 * session: 2025-era clients get status and progress notifications for the tasks they start.
 * Frames are checked first (`stdio-frames.ts`), so malformed lines get a JSON-RPC error. With
 * `opening`, the client's opening exchange is answered before the server is open (`stdio-gate.ts`).
 *
 * @module
 */
import { userInfo } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { serveStdio as sdkServeStdio, StdioServerTransport, type StdioServerHandle } from '@modelcontextprotocol/server/stdio';
import type { RateLimit } from '../rate-limit.js';
import type { McpTaskServer } from '../server.js';
import { checkedFrames } from './stdio-frames.js';
import { openingGate, type Opening } from './stdio-gate.js';

export interface StdioOptions {
  /** The owner of every task (default `local:<os user name>`). */
  owner?: string;
  /** Streams to use instead of the process's stdin and stdout. */
  stdin?: Readable;
  stdout?: Writable;
  /** Largest message in bytes (default 4 MiB); a longer line is answered -32600 and dropped. */
  maxFrameBytes?: number;
  /** Called once stdin ends (the client went away); a single-client server typically shuts down here. */
  onEnd?: () => void;
  /**
   * Task creations per minute for the local user; null for none. Default: the server's
   * `rateLimit`, else none: stdio is one local user's own process, which a limit would only
   * slow down (a client that indexes 60 documents in a loop is no attack).
   */
  rateLimit?: RateLimit | null;
  /**
   * What the server needs before it can serve more than its declaration, e.g. a store still being
   * migrated. `initialize`, `notifications/initialized`, `ping` and `server/discover` are answered at
   * once; every other message waits, in order, until it settles (a rejection is answered -32603).
   * A function is called once the client's first message has been answered, so its synchronous
   * work does not delay that answer.
   */
  opening?: Opening;
}

/** Serves MCP on stdio (both eras; the opening message decides). */
export function serveStdio(server: McpTaskServer, options: StdioOptions = {}): StdioServerHandle {
  const owner = options.owner ?? `local:${userInfo().username}`;
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const maxFrameBytes = options.maxFrameBytes ?? 4 * 1024 * 1024;
  const checked = stdin.pipe(checkedFrames(stdout, maxFrameBytes));
  const frames = options.opening ? checked.pipe(openingGate(options.opening, stdout)) : checked;
  if (options.onEnd) frames.once('end', options.onEnd);
  const transport = new StdioServerTransport(frames, stdout, { maxBufferSize: maxFrameBytes + 1 });
  const serving = { defaultOwner: owner, bound: true, session: true, rateLimit: options.rateLimit, defaultRateLimit: null };
  return sdkServeStdio(server.factory(serving), { transport });
}
