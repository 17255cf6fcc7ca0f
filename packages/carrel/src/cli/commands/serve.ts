/**
 * `carrel serve`: the MCP server over Streamable HTTP, on 127.0.0.1 unless told otherwise. It
 * prints the endpoint URL and runs until SIGINT/SIGTERM. With `--token` (or `CARREL_TOKEN`) every
 * request must carry it as a bearer token, and its holder acts as the local user: tasks created
 * over HTTP are the ones `carrel tasks` lists, and the other way round. Without one the endpoint is
 * open to local processes, every client is one anonymous owner (not the local user: it cannot see
 * the CLI's tasks, nor list its own), and task ids are the only capability. An empty, blank or short
 * token is refused. With `--oauth-issuer` and `--oauth-audience` (`../oauth.ts`) it is an OAuth 2.1
 * resource server: access tokens from that authorization server are accepted, each user (the
 * token's subject) is a task owner of its own, and scopes decide what a token may do
 * (`app/scopes.ts`); a `--token` still works beside it, with every scope. Operator limits (body size,
 * rate, retention, live tasks, sessions) are in `../limits.ts`. Connector schedules run while the
 * server does (see `app/scheduler.ts`). Behind a proxy, `--allowed-host` names the host clients
 * reach it by (requests naming another host are refused: DNS rebinding). Beside `/mcp` it serves
 * `/healthz`, `/readyz` and `/metrics` (`../../observability/`: open health checks for a load
 * balancer, Prometheus metrics behind the token's `carrel:read`, or to loopback without one). Behind a load balancer, `--node-name` begins this node's
 * 2025-era session ids, so the balancer can send a session's requests to the node that holds it
 * (docs/deployment.md).
 *
 * @module
 */
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import type { Faces } from '../../app/faces.js';
import { openRuntime } from '../../app/runtime.js';
import { CARREL_SCOPES, OPERATOR_SCOPE } from '../../app/scopes.js';
import { commandContext } from '../context.js';
import { CliError, ExitCode } from '../errors.js';
import { addServeLimitOptions, bearerToken, MIN_TOKEN_LENGTH, serveLimits, type LimitFlags } from '../limits.js';
import { addOAuthOptions, oauthSettings, type OAuthFlags } from '../oauth.js';
import { print } from '../output.js';

/** The port `carrel serve` listens on by default. */
export const DEFAULT_PORT = 7337;

/** Adds `serve` to the program. */
export function register(program: Command, faces: Faces): void {
  const serve = program
    .command('serve')
    .description('Serve MCP over HTTP (Streamable HTTP at /mcp)')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('-p, --port <port>', `port (0 = any free port)`, String(DEFAULT_PORT))
    .option(
      '--token <token>',
      `require this bearer token, ${MIN_TOKEN_LENGTH}+ characters; its holder acts as the local user (default: $CARREL_TOKEN; none: open on loopback, one anonymous owner)`,
    )
    .option(
      '--allowed-host <host>',
      'a host name clients reach this server by (a proxy or load balancer in front), accepted in Host and Origin besides loopback; repeat for more (default: $CARREL_ALLOWED_HOSTS, comma-separated)',
      (host: string, hosts: string[] = []) => [...hosts, host],
    )
    .option(
      '--node-name <name>',
      "this node's name behind a load balancer: its 2025-11-25 session ids begin with it, for the balancer to route by (default: $CARREL_NODE_NAME)",
    );
  addServeLimitOptions(addOAuthOptions(serve)).action(
    async (
      options: { host: string; port: string; token?: string; allowedHost?: string[]; nodeName?: string } & LimitFlags & OAuthFlags,
      command: Command,
    ) => {
      const { settings, json } = commandContext(command);
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new CliError(`Invalid port ${options.port}: expected 0-65535`, ExitCode.Usage);
      const token = bearerToken(options.token);
      const nodeName = checkedNodeName(options.nodeName);
      const allowedHosts =
        options.allowedHost ??
        process.env.CARREL_ALLOWED_HOSTS?.split(',')
          .map((host) => host.trim())
          .filter(Boolean);
      const oauth = oauthSettings(options);
      const { maxLiveTasksPerOwner, ...limits } = serveLimits(options);
      const observability = await import('../../observability/index.js');
      const metrics = new observability.CarrelMetrics();
      const [runtime, mcp, dashboardFace] = await Promise.all([
        openRuntime(settings, {
          schedules: true,
          observer: metrics,
          ...(maxLiveTasksPerOwner !== undefined && { maxLiveTasksPerOwner }),
        }),
        faces.mcp(),
        faces.dashboard(),
      ]);
      const health = observability.serveObservability(runtime, metrics);
      const dashboard = dashboardFace(runtime);
      let endpoint;
      try {
        endpoint = await mcp.serveHttp(runtime, {
          routes: [health.route, dashboard.route],
          host: options.host,
          port,
          ...limits,
          // The token's holder is the local user: the same owner as `carrel tasks`, `carrel add` and `carrel mcp`.
          ...(token !== undefined && {
            tokens: { [token]: { principal: userInfo().username, owner: settings.owner, scopes: [...CARREL_SCOPES, OPERATOR_SCOPE] } },
          }),
          ...(oauth && { oauth }),
          ...(nodeName !== undefined && { sessionIdPrefix: nodeName }),
          ...(allowedHosts?.length && { allowedHosts }),
        });
      } catch (error) {
        await health.close();
        await runtime.close();
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE')
          throw new CliError(`Port ${port} on ${options.host} is in use: pick another with --port`, ExitCode.Usage);
        throw error;
      }
      print(
        {
          url: endpoint.url,
          dashboard: new URL(dashboard.path, endpoint.url).href,
          dataDir: settings.dataDir,
          authenticated: token !== undefined || oauth !== undefined,
          ...(oauth && { oauth }),
        },
        json,
        (d) =>
          [
            `Carrel MCP server listening on ${d.url}`,
            `Dashboard: ${d.dashboard}`,
            `Data: ${d.dataDir}`,
            // The issuer is not asked at start-up: say what happens while it cannot be reached.
            ...(oauth
              ? [`OAuth: tokens from ${oauth.issuers.join(', ')} for ${oauth.audience} (answered 503 while the issuer cannot be reached)`]
              : []),
            'Stop with Ctrl-C.',
          ].join('\n'),
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      dashboard.close();
      await endpoint.close();
      await health.close();
      await runtime.close();
    },
  );
}

/** `--node-name` or CARREL_NODE_NAME, checked here so a bad one is a usage error naming where it came from. */
function checkedNodeName(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const [name, source] = flag !== undefined ? [flag, '--node-name'] : [env.CARREL_NODE_NAME || undefined, 'CARREL_NODE_NAME'];
  if (name !== undefined && !/^[A-Za-z0-9-]{1,32}$/.test(name))
    throw new CliError(`${source} must be letters, digits and "-", 1 to 32 characters, not '${name}'`, ExitCode.Usage);
  return name;
}
