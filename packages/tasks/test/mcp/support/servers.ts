/**
 * Real servers and real clients for the MCP integration tests: an in-process HTTP endpoint on
 * 127.0.0.1 over a memory store, a stdio child process over a SQLite file, the v1 SDK client
 * (2025-11-25 tasks) and raw 2026-07-28 HTTP requests.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MemoryTaskStore, type TaskEngineOptions, type TaskStore } from '@carrel/tasks';
import { createTaskServer, type AnyToolDefinition, type McpTaskServer, type RateLimit, type TaskScopes } from '@carrel/tasks/mcp';
import { serveHttp, type HttpOptions } from '@carrel/tasks/mcp/http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema, type ElicitRequest, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { fixtureTools } from '../../../conformance/fixture-tools.js';

export const FIXTURE_SERVER = fileURLToPath(new URL('../../../conformance/fixture-server.ts', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));
export const EXT = 'io.modelcontextprotocol/tasks';

export interface HttpFixture {
  url: string;
  server: McpTaskServer;
  store: TaskStore;
  close(): Promise<void>;
}

/** The fixture tools (plus `tools`) behind a real HTTP endpoint on 127.0.0.1. */
export async function startHttp(
  options: {
    tools?: AnyToolDefinition[];
    http?: HttpOptions;
    engine?: Partial<Omit<TaskEngineOptions, 'workflows'>>;
    workflows?: TaskEngineOptions['workflows'];
    rateLimit?: RateLimit | null;
    maxTtlMs?: number;
    defaultTtlMs?: number;
    listPageSize?: number;
    taskScopes?: TaskScopes;
    store?: TaskStore;
  } = {},
): Promise<HttpFixture> {
  const store = options.store ?? new MemoryTaskStore();
  const server = await createTaskServer({
    name: 'carrel-test',
    version: '0.0.0',
    store,
    tools: [...fixtureTools, ...(options.tools ?? [])],
    engine: { pollIntervalMs: 100, ...options.engine },
    ...(options.workflows !== undefined && { workflows: options.workflows }),
    ...(options.rateLimit !== undefined && { rateLimit: options.rateLimit }),
    ...(options.maxTtlMs !== undefined && { maxTtlMs: options.maxTtlMs }),
    ...(options.defaultTtlMs !== undefined && { defaultTtlMs: options.defaultTtlMs }),
    ...(options.listPageSize !== undefined && { listPageSize: options.listPageSize }),
    ...(options.taskScopes !== undefined && { taskScopes: options.taskScopes }),
    onError: () => {},
  });
  const endpoint = await serveHttp(server, options.http);
  return {
    url: endpoint.url,
    server,
    store,
    close: async () => {
      await endpoint.close();
      await server.close();
    },
  };
}

export type Elicit = (request: ElicitRequest) => Promise<ElicitResult> | ElicitResult;

function v1Client(elicit?: Elicit): Client {
  const client = new Client({ name: 'v1-test-client', version: '1.0.0' }, { capabilities: elicit ? { elicitation: { form: {} } } : {} });
  if (elicit) client.setRequestHandler(ElicitRequestSchema, (request) => elicit(request));
  return client;
}

/** A connected v1 (2025-11-25) SDK client over Streamable HTTP. */
export async function v1Http(url: string, options: { token?: string; elicit?: Elicit } = {}): Promise<Client> {
  const client = v1Client(options.elicit);
  const headers: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

/** A connected v1 SDK client to the fixture server as a stdio child process. */
export async function v1Stdio(
  args: string[],
  options: { elicit?: Elicit; env?: Record<string, string> } = {},
): Promise<{ client: Client; transport: StdioClientTransport }> {
  const client = v1Client(options.elicit);
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ['--conditions=carrel-source', '--import', 'tsx', FIXTURE_SERVER, '--stdio', ...args],
    cwd: REPO_ROOT,
    env: { ...(process.env as Record<string, string>), ...options.env },
    stderr: 'pipe',
  });
  await client.connect(transport);
  return { client, transport };
}

/** The fixture server as a raw stdio child process, for writing malformed frames. */
export function spawnStdioFixture(args: string[] = []): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--conditions=carrel-source', '--import', 'tsx', FIXTURE_SERVER, '--stdio', ...args], { cwd: REPO_ROOT });
}

export interface RpcReply {
  status: number;
  headers: Headers;
  body: { result?: Record<string, unknown>; error?: { code: number; message: string; data?: unknown } } & Record<string, unknown>;
}

let nextId = 1;

/**
 * One 2026-07-28 request over raw HTTP: the per-request `_meta` envelope (declaring the tasks
 * extension unless `capabilities` says otherwise) and the SEP-2243 routing headers.
 */
export async function request2026(
  url: string,
  method: string,
  params: Record<string, unknown> = {},
  options: { token?: string; capabilities?: Record<string, unknown> } = {},
): Promise<RpcReply> {
  const name = method === 'tools/call' ? params.name : method.startsWith('tasks/') ? params.taskId : undefined;
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': method,
      ...(typeof name === 'string' && { 'mcp-name': name }),
      ...(options.token && { authorization: `Bearer ${options.token}` }),
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: nextId++,
      method,
      params: {
        ...params,
        _meta: {
          'io.modelcontextprotocol/protocolVersion': '2026-07-28',
          'io.modelcontextprotocol/clientCapabilities': options.capabilities ?? { extensions: { [EXT]: {} } },
        },
      },
    }),
  });
  return { status: response.status, headers: response.headers, body: await readJsonRpc(response) };
}

/** The JSON-RPC response in a JSON body or the last response frame of an SSE stream. */
export async function readJsonRpc(response: Response): Promise<RpcReply['body']> {
  const text = await response.text();
  if (!(response.headers.get('content-type') ?? '').includes('text/event-stream')) return text ? JSON.parse(text) : {};
  const frames = text
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .map((line) => JSON.parse(line.slice(5)) as RpcReply['body']);
  return frames.reverse().find((frame) => 'result' in frame || 'error' in frame) ?? {};
}

/** Polls (2026 `tasks/get`) until `done` holds for the task, or fails after `timeoutMs`. */
export async function poll2026(
  url: string,
  taskId: string,
  done: (task: Record<string, unknown>) => boolean,
  options: { token?: string; timeoutMs?: number } = {},
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    const reply = await request2026(url, 'tasks/get', { taskId }, options);
    const task = reply.body.result;
    if (task && done(task)) return task;
    if (Date.now() > deadline) throw new Error(`task ${taskId} did not reach the expected state: ${JSON.stringify(reply.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
