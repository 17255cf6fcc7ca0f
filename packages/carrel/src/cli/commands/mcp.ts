/**
 * `carrel mcp`: the MCP server on stdio, the transport Claude Desktop, Claude Code and Cursor
 * launch. Tasks belong to the local user, so they are the same ones `carrel tasks` shows. The
 * server stops when the client closes stdin or on SIGINT/SIGTERM; running tasks are handed back
 * to the store and resume on the next start.
 *
 * @module
 */
import type { Command } from 'commander';
import { serveStdio } from '@carrel/tasks/mcp';
import { openRuntime } from '../../mcp/runtime.js';
import { createCarrelServer } from '../../mcp/server.js';
import { commandContext } from '../context.js';

/** Adds `mcp` to the program. */
export function register(program: Command): void {
  program
    .command('mcp')
    .description('Serve MCP on stdio (for Claude Desktop, Claude Code, Cursor)')
    .action(async (_options, command: Command) => {
      const { settings } = commandContext(command);
      const runtime = await openRuntime(settings);
      const server = createCarrelServer(runtime);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        serveStdio(server, { owner: settings.owner, onEnd: stop });
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await runtime.close();
    });
}
