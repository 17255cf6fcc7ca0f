/**
 * `carrel mcp`: the MCP server on stdio, the transport Claude Desktop, Claude Code and Cursor
 * launch. Tasks belong to the local user, so they are the same ones `carrel tasks` shows. The
 * server stops when the client closes stdin or on SIGINT/SIGTERM; running tasks are handed back
 * to the store and resume on the next start.
 *
 * A client that launches a server times its first answer, so `initialize` is answered before the
 * database is migrated and the task engine started; the client's other requests wait for that.
 * If the runtime cannot start, they are answered with the reason and the command fails with it.
 * Connector schedules run while the server does (see app/scheduler.ts).
 *
 * @module
 */
import type { Command } from 'commander';
import type { Faces } from '../../app/faces.js';
import { createRuntime } from '../../app/runtime.js';
import { commandContext } from '../context.js';
import { addRateLimitOptions, rateLimit, type LimitFlags } from '../limits.js';

/** Adds `mcp` to the program. */
export function register(program: Command, faces: Faces): void {
  const mcpCommand = program.command('mcp').description('Serve MCP on stdio (for Claude Desktop, Claude Code, Cursor)');
  addRateLimitOptions(mcpCommand, 'none').action(async (options: Pick<LimitFlags, 'rateLimit' | 'rateBurst'>, command: Command) => {
    const { settings } = commandContext(command);
    const limit = rateLimit(options);
    const runtime = await createRuntime(settings, { schedules: true });
    const mcp = await faces.mcp();
    const stopped = new AbortController();
    const stop = () => stopped.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    let failure: { error: unknown } | undefined;
    let started: Promise<void> | undefined;
    const opening = () =>
      (started = runtime.start().catch((error: unknown) => {
        failure = { error };
        stop();
        throw error;
      }));
    await mcp.serveStdio(runtime, { signal: stopped.signal, opening, ...(limit !== undefined && { rateLimit: limit }) });
    await started?.catch(() => undefined); // a signal may come while the engine starts: let it finish, then stop it
    await runtime.close();
    if (failure) throw failure.error;
  });
}
