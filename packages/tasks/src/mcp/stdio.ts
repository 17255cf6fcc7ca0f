/**
 * stdio: a single-user transport. Every task belongs to the local user, so a client that
 * reconnects, or a server restarted on the same store, still sees its tasks. Each connection is a
 * session: 2025-era clients get status and progress notifications for the tasks they start.
 *
 * @module
 */
import { userInfo } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { serveStdio as sdkServeStdio, StdioServerTransport, type StdioServerHandle } from '@modelcontextprotocol/server/stdio';
import type { McpTaskServer } from './server.js';

export interface StdioOptions {
  /** The owner of every task (default `local:<os user name>`). */
  owner?: string;
  /** Streams to use instead of the process's stdin and stdout. */
  stdin?: Readable;
  stdout?: Writable;
}

/** Serves MCP on stdio (both eras; the opening message decides). */
export function serveStdio(server: McpTaskServer, options: StdioOptions = {}): StdioServerHandle {
  const owner = options.owner ?? `local:${userInfo().username}`;
  const transport = options.stdin || options.stdout ? new StdioServerTransport(options.stdin, options.stdout) : undefined;
  return sdkServeStdio(server.factory({ defaultOwner: owner, bound: true, session: true }), { ...(transport && { transport }) });
}
