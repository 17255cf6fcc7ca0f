/**
 * The faces a carrel process can put on its runtime, as the core sees them. Commands that start a
 * server (`carrel mcp`, `carrel serve`) are given these by the program's entry (`main.ts`), so no
 * face imports another: the CLI knows that an MCP face exists and what it takes, not where it lives.
 *
 * @module
 */
import type { HttpRoute } from '@carrel/tasks/mcp/http';
import type { CarrelRuntime } from './runtime.js';

/** Task creations allowed per owner: a sustained rate per minute and a burst. */
export interface CreationRateLimit {
  perMinute: number;
  burst?: number;
}

/** Limits an operator sets on what MCP clients may do with tasks (unset: the transport's defaults). */
export interface TaskPolicy {
  /** Task creations per owner; null: no limit. */
  rateLimit?: CreationRateLimit | null;
  /** Retention of a task whose client asked for none. */
  defaultTtlMs?: number;
  /** The longest retention a client may ask for (also without a token, where the default cap is 1 hour). */
  maxTtlMs?: number;
}

/** Where an HTTP face listens, whom it lets in, and the operator's limits. */
export interface HttpServeOptions extends TaskPolicy {
  host: string;
  port: number;
  /**
   * Bearer token → principal, and the task owner it acts as. Without tokens (or `oauth`) the endpoint
   * is open to local processes.
   */
  tokens?: Record<string, { principal: string; owner?: string; scopes?: readonly string[] }>;
  /**
   * Accept OAuth access tokens (JWTs) from these authorization servers, issued for `audience` (this
   * server's canonical URI): each token's subject is its own task owner. Together with `tokens` or alone.
   */
  oauth?: { issuers: readonly string[]; audience: string };
  /** Largest request body in bytes; larger ones get 413. */
  maxRequestBodySize?: number;
  /** 2025-era sessions kept at once, all principals together. */
  maxSessions?: number;
  /** 2025-era sessions one token's principal keeps at once. */
  maxSessionsPerPrincipal?: number;
  /** Host names accepted in `Host` and `Origin` besides the loopback names: the name a load balancer or proxy serves this endpoint as. */
  allowedHosts?: readonly string[];
  /** This node's name in a cluster: begins its 2025-era session ids, for the load balancer to route a session's requests by. */
  sessionIdPrefix?: string;
  /** Other paths on the same server and port (health, metrics, the dashboard), behind the same Host and Origin checks. */
  routes?: readonly HttpRoute[];
}

/** A listening HTTP endpoint. */
export interface HttpEndpoint {
  url: string;
  close(): Promise<void>;
}

/** The MCP face: the carrel MCP server on stdio or Streamable HTTP. */
export interface McpFace {
  /**
   * Serves MCP on this process's stdin/stdout until the client closes it or `signal` aborts, limiting
   * task creation to `rateLimit` when given. With
   * `opening`, the runtime may not be started yet: the client's opening exchange is answered at
   * once, and its other requests wait until `opening()` (called after that first answer) settles.
   */
  serveStdio(
    runtime: CarrelRuntime,
    options: { signal: AbortSignal; opening?: () => Promise<void>; rateLimit?: CreationRateLimit | null },
  ): Promise<void>;
  /** Serves MCP over Streamable HTTP; resolves once listening. */
  serveHttp(runtime: CarrelRuntime, options: HttpServeOptions): Promise<HttpEndpoint>;
}

/** The dashboard on an HTTP face's server: a route beside `/mcp`, and `close` to end its open event streams. */
export interface DashboardRoute {
  route: HttpRoute;
  /** Its page's path, e.g. `/dashboard/`. */
  path: string;
  close(): void;
}

/** The dashboard face: the web page and its JSON API over a runtime. */
export type DashboardFace = (runtime: CarrelRuntime) => DashboardRoute;

/** Loaders for each face; only the face a command starts is imported. */
export interface Faces {
  mcp(): Promise<McpFace>;
  dashboard(): Promise<DashboardFace>;
}
