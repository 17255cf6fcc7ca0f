/**
 * `carrel mcp`: the MCP server on stdio, the transport Claude Desktop, Claude Code and Cursor
 * launch. Tasks belong to the local user, so they are the same ones `carrel tasks` shows. The
 * server stops when the client closes stdin or on SIGINT/SIGTERM; running tasks are handed back
 * to the store and resume on the next start.
 *
 * @module
 */
import type { Command } from 'commander';
import type { Faces } from '../../app/faces.js';
import { openRuntime } from '../../app/runtime.js';
import { commandContext } from '../context.js';
import { addRateLimitOptions, rateLimit, type LimitFlags } from '../limits.js';

/** Adds `mcp` to the program. */
export function register(program: Command, faces: Faces): void {
  const mcp = program.command('mcp').description('Serve MCP on stdio (for Claude Desktop, Claude Code, Cursor)');
  addRateLimitOptions(mcp, 'none').action(async (options: Pick<LimitFlags, 'rateLimit' | 'rateBurst'>, command: Command) => {
    const { settings } = commandContext(command);
    const limit = rateLimit(options);
    const [runtime, face] = await Promise.all([openRuntime(settings), faces.mcp()]);
    const stopped = new AbortController();
    const stop = () => stopped.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    await face.serveStdio(runtime, { signal: stopped.signal, ...(limit !== undefined && { rateLimit: limit }) });
    await runtime.close();
  });
}
