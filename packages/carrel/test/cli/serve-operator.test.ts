/**
 * `carrel serve` as an operator runs it, as real child processes on 127.0.0.1: a token that is
 * given must be a real one; limits set by flag change what the endpoint accepts and bad ones are
 * usage errors; the token's holder is the local user, so HTTP and the CLI see the same tasks, and
 * `tasks list --all-owners` shows every owner's.
 */
import { request } from 'node:http';
import { userInfo } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp-dir.js';
import { indexOverHttp, mcpHttp, mcpStdio, runCli, startServe } from '../mcp/support/carrel-process.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const TOKEN = 'a-real-token-0123456789abcdef';
type ToolResult = { content: { type: string; text: string }[]; structuredContent?: Record<string, unknown>; isError?: boolean };

/** Creates a task: `index_document` of a small note, with `async: true`. */
function startNote(client: { callTool(request: { name: string; arguments: Record<string, unknown> }): Promise<unknown> }, i: number) {
  return client.callTool({
    name: 'index_document',
    arguments: { library: 'notes', title: `Note ${i}`, content: `# Note ${i}\n\nText ${i}.\n`, async: true },
  }) as Promise<ToolResult>;
}

describe('carrel serve for an operator', { timeout: 120_000 }, () => {
  it('refuses an empty, blank, short or spaced token in one line with exit code 2', async () => {
    const data = tempDir();
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [['serve', '--token', ''], {}, /^carrel: --token is empty: give a token of at least 16 characters/],
      [['serve'], { CARREL_TOKEN: '' }, /^carrel: CARREL_TOKEN is empty: .*unset CARREL_TOKEN/],
      [['serve'], { CARREL_TOKEN: '   ' }, /^carrel: CARREL_TOKEN is blank/],
      [['serve', '--token', 'sesame'], {}, /^carrel: --token is 6 characters: use at least 16/],
      [['serve', '--token', 'two words of sixteen'], {}, /^carrel: --token contains white space/],
    ];
    const runs = await Promise.all(cases.map(([args, env]) => runCli(data, [...args, '--port', '0'], { env })));
    runs.forEach((run, i) => {
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(cases[i]![2]);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    });
  });

  it('begins 2025-era session ids with --node-name (or CARREL_NODE_NAME), and refuses a name a balancer could not route by', async () => {
    const data = tempDir();
    const [flagged, fromEnv] = await Promise.all([
      startServe(data, ['--node-name', 'node-a']),
      startServe(tempDir(), [], { CARREL_NODE_NAME: 'node-b' }),
    ]);
    cleanups.push(flagged.stop, fromEnv.stop);
    for (const [server, name] of [
      [flagged, 'node-a'],
      [fromEnv, 'node-b'],
    ] as const) {
      const client = await mcpHttp(server.url);
      try {
        expect((client.transport as { sessionId?: string }).sessionId).toMatch(new RegExp(`^${name}\\.[0-9a-f-]{36}$`));
        expect((await client.listTools()).tools.length).toBeGreaterThan(0);
      } finally {
        await client.close();
      }
    }
    const [dotted, envSpaced] = await Promise.all([
      runCli(data, ['serve', '--port', '0', '--node-name', 'a.b']),
      runCli(data, ['serve', '--port', '0'], { env: { CARREL_NODE_NAME: 'node 1' } }),
    ]);
    expect(dotted).toMatchObject({
      code: 2,
      stderr: `carrel: --node-name must be letters, digits and "-", 1 to 32 characters, not 'a.b'\n`,
    });
    expect(envSpaced).toMatchObject({
      code: 2,
      stderr: `carrel: CARREL_NODE_NAME must be letters, digits and "-", 1 to 32 characters, not 'node 1'\n`,
    });
  });

  it('accepts the host names given by --allowed-host (or CARREL_ALLOWED_HOSTS) in Host, and still refuses others', async () => {
    const [flagged, fromEnv] = await Promise.all([
      startServe(tempDir(), ['--allowed-host', 'docs.example.com', '--allowed-host', 'kb.example.com']),
      startServe(tempDir(), [], { CARREL_ALLOWED_HOSTS: 'docs.example.com, kb.example.com' }),
    ]);
    cleanups.push(flagged.stop, fromEnv.stop);
    /** The status of an initialize sent with this Host header (fetch sets Host itself, so node:http). */
    const initializeAs = (url: string, host: string) =>
      new Promise<number>((resolve, reject) => {
        const body = JSON.stringify({
          jsonrpc: '2.0',
          id: 0,
          method: 'initialize',
          params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'proxy-test', version: '1' } },
        });
        const req = request(url, {
          method: 'POST',
          headers: { host, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        });
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end(body);
      });
    for (const server of [flagged, fromEnv]) {
      expect(await initializeAs(server.url, 'docs.example.com')).toBe(200);
      expect(await initializeAs(server.url, 'kb.example.com:443')).toBe(200);
      expect(await initializeAs(server.url, 'evil.example.net')).toBe(403);
    }
  });

  it('refuses bad limits naming the flag or variable and the accepted range', async () => {
    const data = tempDir();
    const [body, rate, ttl, burst, sessions, stdio] = await Promise.all([
      runCli(data, ['serve', '--port', '0', '--max-body', '10']),
      runCli(data, ['serve', '--port', '0'], { env: { CARREL_RATE_LIMIT: 'lots' } }),
      runCli(data, ['serve', '--port', '0', '--max-ttl', '2h', '--default-ttl', '3h']),
      runCli(data, ['serve', '--port', '0', '--rate-burst', '5']),
      runCli(data, ['serve', '--port', '0', '--max-sessions-per-principal', '0']),
      runCli(data, ['mcp', '--rate-limit', '1.5']),
    ]);
    expect(body).toMatchObject({ code: 2, stderr: "carrel: --max-body must be a whole number from 1024 to 1073741824 bytes, not '10'\n" });
    expect(rate).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^carrel: CARREL_RATE_LIMIT \(--rate-limit\) must be a whole number from 0 to/),
    });
    expect(ttl).toMatchObject({ code: 2, stderr: 'carrel: --default-ttl must not be longer than --max-ttl\n' });
    expect(burst).toMatchObject({ code: 2, stderr: expect.stringMatching(/^carrel: --rate-burst needs a --rate-limit/) });
    expect(sessions).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^carrel: --max-sessions-per-principal must be a whole number from 1 to/),
    });
    expect(stdio).toMatchObject({ code: 2, stderr: expect.stringMatching(/^carrel: --rate-limit must be a whole number/) });
  });

  it('answers 413 above --max-body and refuses the task creation beyond --rate-limit', async () => {
    const data = tempDir();
    const serve = await startServe(data, ['--max-body', '2048', '--rate-limit', '2', '--rate-burst', '2']);
    cleanups.push(serve.stop);
    const post = (body: string) =>
      fetch(serve.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body,
      });
    const padding = 'x'.repeat(3000);
    const big = await post(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { _meta: { padding } } }));
    expect(big.status).toBe(413);

    const client = await mcpHttp(serve.url);
    cleanups.push(() => client.close());
    const start = (i: number) => startNote(client, i);
    expect((await start(1)).structuredContent).toHaveProperty('taskId');
    expect((await start(2)).structuredContent).toHaveProperty('taskId');
    await expect(start(3)).rejects.toThrow(/rate|retry/i);
  });

  it('limits task creation on stdio only when asked (CARREL_RATE_LIMIT)', async () => {
    const { client } = await mcpStdio(tempDir(), { env: { CARREL_RATE_LIMIT: '1', CARREL_RATE_BURST: '1' } });
    cleanups.push(() => client.close());
    const start = (i: number) => startNote(client, i);
    expect((await start(1)).structuredContent).toHaveProperty('taskId');
    await expect(start(2)).rejects.toThrow(/rate|retry/i);
  });

  it('gives the token holder the local user’s tasks, keeps anonymous clients apart, and lists every owner with --all-owners', async () => {
    const data = tempDir();
    const withToken = await startServe(data, ['--token', TOKEN]);
    cleanups.push(withToken.stop);
    const open = await startServe(data);
    cleanups.push(open.stop);

    const mine = await indexOverHttp(withToken.url, TOKEN);
    const anonymous = await indexOverHttp(open.url);

    const listed = JSON.parse((await runCli(data, ['--json', 'tasks', 'list'])).stdout) as { tasks: { id: string }[] };
    expect(listed.tasks.map((t) => t.id)).toEqual([mine]);

    // And the other way round: what the CLI starts, the token's holder lists over HTTP.
    const added = await runCli(data, ['--json', 'add', '--library', 'readme', 'README.md']);
    expect(added.code).toBe(0);
    const client = await mcpHttp(withToken.url, { token: TOKEN });
    cleanups.push(() => client.close());
    const overHttp = (await client.callTool({ name: 'list_tasks', arguments: {} })) as ToolResult;
    expect((overHttp.structuredContent!.tasks as { taskId: string }[]).length).toBe(2);

    const all = await runCli(data, ['--json', 'tasks', 'list', '--all-owners']);
    const owners = (JSON.parse(all.stdout) as { tasks: { id: string; owner: string }[] }).tasks;
    expect(owners).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: mine, owner: `local:${userInfo().username}` }),
        expect.objectContaining({ id: anonymous, owner: 'anonymous' }),
      ]),
    );
    expect(owners).toHaveLength(3);
    const human = await runCli(data, ['tasks', 'list', '--all-owners']);
    expect(human.stdout).toMatch(new RegExp(`^${anonymous} .*  anonymous$`, 'm'));
  });
});
