/**
 * `carrel serve`: the MCP server over Streamable HTTP, on 127.0.0.1 unless told otherwise. It
 * prints the endpoint URL and runs until SIGINT/SIGTERM. With `--token` (or `CARREL_TOKEN`) every
 * request must carry it as a bearer token and tasks belong to the local user's principal;
 * without one the endpoint is open to local processes and task ids are the only capability.
 *
 * @module
 */
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import type { Faces } from '../../app/faces.js';
import { openRuntime } from '../../app/runtime.js';
import { commandContext } from '../context.js';
import { CliError, ExitCode } from '../errors.js';
import { print } from '../output.js';

/** The port `carrel serve` listens on by default. */
export const DEFAULT_PORT = 7337;

/** Adds `serve` to the program. */
export function register(program: Command, faces: Faces): void {
  program
    .command('serve')
    .description('Serve MCP over HTTP (Streamable HTTP at /mcp)')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('-p, --port <port>', `port (0 = any free port)`, String(DEFAULT_PORT))
    .option('--token <token>', 'require this bearer token (default: $CARREL_TOKEN)')
    .action(async (options: { host: string; port: string; token?: string }, command: Command) => {
      const { settings, json } = commandContext(command);
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new CliError(`Invalid port ${options.port}: expected 0-65535`, ExitCode.Usage);
      const token = options.token ?? process.env.CARREL_TOKEN;
      const [runtime, mcp] = await Promise.all([openRuntime(settings), faces.mcp()]);
      let endpoint;
      try {
        endpoint = await mcp.serveHttp(runtime, {
          host: options.host,
          port,
          ...(token && { tokens: { [token]: { principal: userInfo().username } } }),
        });
      } catch (error) {
        await runtime.close();
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE')
          throw new CliError(`Port ${port} on ${options.host} is in use: pick another with --port`, ExitCode.Usage);
        throw error;
      }
      print(
        { url: endpoint.url, dataDir: settings.dataDir, authenticated: token !== undefined },
        json,
        (d) => `Carrel MCP server listening on ${d.url}\nData: ${d.dataDir}\nStop with Ctrl-C.`,
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      await endpoint.close();
      await runtime.close();
    });
}
