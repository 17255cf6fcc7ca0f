/**
 * The faces a carrel process can put on its runtime, as the core sees them. Commands that start a
 * server (`carrel mcp`, `carrel serve`) are given these by the program's entry (`main.ts`), so no
 * face imports another: the CLI knows that an MCP face exists and what it takes, not where it lives.
 *
 * @module
 */
import type { CarrelRuntime } from './runtime.js';

/** Where an HTTP face listens and whom it lets in. */
export interface HttpServeOptions {
  host: string;
  port: number;
  /** Bearer token → principal. Without tokens the endpoint is open to local processes. */
  tokens?: Record<string, { principal: string; scopes?: readonly string[] }>;
}

/** A listening HTTP endpoint. */
export interface HttpEndpoint {
  url: string;
  close(): Promise<void>;
}

/** The MCP face: the carrel MCP server on stdio or Streamable HTTP. */
export interface McpFace {
  /**
   * Serves MCP on this process's stdin/stdout until the client closes it or `signal` aborts. With
   * `opening`, the runtime may not be started yet: the client's opening exchange is answered at
   * once, and its other requests wait until `opening()` (called after that first answer) settles.
   */
  serveStdio(runtime: CarrelRuntime, options: { signal: AbortSignal; opening?: () => Promise<void> }): Promise<void>;
  /** Serves MCP over Streamable HTTP; resolves once listening. */
  serveHttp(runtime: CarrelRuntime, options: HttpServeOptions): Promise<HttpEndpoint>;
}

/** Loaders for each face; only the face a command starts is imported. */
export interface Faces {
  mcp(): Promise<McpFace>;
}
