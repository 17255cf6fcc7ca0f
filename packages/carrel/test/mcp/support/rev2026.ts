/**
 * The 2026-07-28 tasks extension over raw HTTP, as the engine's own tests drive it (the v2 SDK
 * client rejects `resultType: "task"`): one request with the per-request `_meta` envelope and the
 * routing headers, and a poll of `tasks/get`.
 *
 * @module
 */

const EXT = 'io.modelcontextprotocol/tasks';

/** A JSON-RPC reply's body. */
export type RpcBody = { result?: Record<string, unknown>; error?: { code: number; message: string; data?: unknown } };

let nextId = 1;

/** One 2026-07-28 request to `url`, declaring the tasks extension and form elicitation. */
export async function request2026(url: string, method: string, params: Record<string, unknown> = {}): Promise<RpcBody> {
  const name = method === 'tools/call' ? params.name : method.startsWith('tasks/') ? params.taskId : undefined;
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': method,
      ...(typeof name === 'string' && { 'mcp-name': name }),
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: nextId++,
      method,
      params: {
        ...params,
        _meta: {
          'io.modelcontextprotocol/protocolVersion': '2026-07-28',
          'io.modelcontextprotocol/clientCapabilities': { elicitation: { form: {} }, extensions: { [EXT]: {} } },
        },
      },
    }),
  });
  const text = await response.text();
  if (!(response.headers.get('content-type') ?? '').includes('text/event-stream')) return text ? (JSON.parse(text) as RpcBody) : {};
  const frames = text
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .map((line) => JSON.parse(line.slice(5)) as RpcBody);
  return frames.reverse().find((frame) => 'result' in frame || 'error' in frame) ?? {};
}

/** Polls `tasks/get` until `done` holds for the task; fails after `timeoutMs`. */
export async function poll2026(
  url: string,
  taskId: string,
  done: (task: Record<string, unknown>) => boolean,
  timeoutMs = 60_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const task = (await request2026(url, 'tasks/get', { taskId })).result;
    if (task && done(task)) return task;
    if (Date.now() > deadline) throw new Error(`task ${taskId} did not reach the expected state: ${JSON.stringify(task)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
