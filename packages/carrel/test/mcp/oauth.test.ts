/**
 * `carrel serve --oauth-issuer … --oauth-audience …` as a real child process, with a real
 * authorization server (`oidc-provider` on 127.0.0.1) that is started only after the server: the
 * server starts anyway and says how it behaves, answers tokens 503 until the issuer is up, then
 * serves each token's subject as its own task owner, with `carrel:read` and `carrel:write` deciding
 * which tools a token may call (403 insufficient_scope otherwise), and a second node on the same
 * data knows the same users as the same owners. A `--token` keeps working beside it. Bad OAuth
 * settings are usage errors naming the flag.
 */
import { generateKeyPair, SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, startAuthorizationServer, type AuthorizationServer } from '../../../tasks/test/support/authorization-server.js';
import { tempDir } from '../support/temp-dir.js';
import { mcpHttp, runCli, startServe } from './support/carrel-process.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const STATIC_TOKEN = 'static-token-0123456789';

type ToolResult = { content: { type: string; text: string }[]; structuredContent?: Record<string, unknown>; isError?: boolean };

// Several carrel processes each: minutes on a loaded machine, not a hang.
describe('carrel serve as an OAuth resource server', { timeout: 120_000 }, () => {
  it('starts before its issuer is up, then serves each subject its own tasks with the scopes its token carries', async () => {
    const asPort = await freePort();
    const issuer = `http://127.0.0.1:${asPort}`;
    const port = await freePort();
    const audience = `http://127.0.0.1:${port}/mcp`;
    const data = tempDir();
    const serve = await startServe(data, ['--port', String(port), '--oauth-audience', audience, '--token', STATIC_TOKEN], {
      CARREL_OAUTH_ISSUER: issuer,
    });
    cleanups.push(serve.stop);
    expect(serve.url).toBe(audience);

    const metadata = await fetch(`http://127.0.0.1:${port}/.well-known/oauth-protected-resource/mcp`);
    expect(await metadata.json()).toEqual({
      resource: audience,
      authorization_servers: [issuer],
      scopes_supported: ['carrel:read', 'carrel:write'],
      bearer_methods_supported: ['header'],
      resource_name: 'Carrel',
    });
    const anonymous = await fetch(serve.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="http://127.0.0.1:${port}/.well-known/oauth-protected-resource/mcp"`,
    );

    // The issuer is not up yet: its token cannot be judged, which is said with 503, not a 401 that would make the client discard it.
    const { privateKey } = await generateKeyPair('RS256');
    const early = await new SignJWT({ iss: issuer, sub: 'alice', aud: audience, exp: Math.floor(Date.now() / 1000) + 60 })
      .setProtectedHeader({ alg: 'RS256', kid: 'early' })
      .sign(privateKey);
    const unavailable = await fetch(serve.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${early}` },
      body: '{}',
    });
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get('retry-after')).toBe('5');
    const as: AuthorizationServer = await startAuthorizationServer({ clients: ['alice', 'bob'], port: asPort });
    cleanups.push(() => as.close());

    const reader = await mcpHttp(serve.url, { token: await as.token('alice', { resource: audience, scope: 'carrel:read' }) });
    cleanups.push(() => reader.close());
    const writer = await mcpHttp(serve.url, { token: await as.token('bob', { resource: audience, scope: 'carrel:read carrel:write' }) });
    cleanups.push(() => writer.close());
    const local = await mcpHttp(serve.url, { token: STATIC_TOKEN });
    cleanups.push(() => local.close());

    const document = { library: 'notes', title: 'Zebras', content: '# Zebras\n\nZebras have stripes.\n' };
    await expect(reader.callTool({ name: 'index_document', arguments: document })).rejects.toMatchObject({
      code: 403,
      message: expect.stringContaining('insufficient_scope'),
    });
    const started = (await writer.callTool({ name: 'index_document', arguments: { ...document, async: true } })) as ToolResult;
    const taskId = started.structuredContent!.taskId as string;
    let status: unknown;
    do
      status = (
        ((await writer.callTool({ name: 'get_task', arguments: { taskId } })) as ToolResult).structuredContent!.task as { status: string }
      ).status;
    while (status === 'working');
    expect(status).toBe('completed');

    // Reading needs carrel:read only; the task is bob's alone.
    const found = (await reader.callTool({ name: 'search', arguments: { query: 'zebras stripes' } })) as ToolResult;
    expect(found.structuredContent!.results).toEqual([expect.objectContaining({ title: 'Zebras', library: 'notes' })]);
    expect(((await reader.callTool({ name: 'get_task', arguments: { taskId } })) as ToolResult).isError).toBe(true);
    const listed = (client: typeof reader) =>
      client.callTool({ name: 'list_tasks', arguments: {} }).then((r) => JSON.stringify((r as ToolResult).structuredContent));
    expect(await listed(writer)).toContain(taskId);
    expect(await listed(reader)).not.toContain(taskId);
    // The static token's holder is the local user, another owner again, and holds every scope.
    expect(await listed(local)).not.toContain(taskId);
    const indexed = (await local.callTool({ name: 'index_document', arguments: { ...document, title: 'Okapis' } })) as ToolResult;
    expect(indexed.isError).toBeFalsy();

    // A second node on the same data, behind the same canonical URI: the same user is the same owner there.
    const node2 = await startServe(data, ['--oauth-issuer', issuer, '--oauth-audience', audience]);
    cleanups.push(node2.stop);
    const writerOn2 = await mcpHttp(node2.url, { token: await as.token('bob', { resource: audience, scope: 'carrel:read' }) });
    cleanups.push(() => writerOn2.close());
    const readerOn2 = await mcpHttp(node2.url, { token: await as.token('alice', { resource: audience, scope: 'carrel:read' }) });
    cleanups.push(() => readerOn2.close());
    expect(await listed(writerOn2)).toContain(taskId);
    expect(((await readerOn2.callTool({ name: 'get_task', arguments: { taskId } })) as ToolResult).isError).toBe(true);
  });

  it('refuses bad OAuth settings with a usage error naming the flag or variable', async () => {
    const data = tempDir();
    const cases: Array<[string[], Record<string, string>, string]> = [
      [['--oauth-issuer', 'https://auth.example.com'], {}, '--oauth-issuer needs --oauth-audience'],
      [['--oauth-audience', 'https://carrel.example.com/mcp'], {}, '--oauth-audience needs --oauth-issuer'],
      [
        ['--oauth-audience', 'https://carrel.example.com/mcp'],
        { CARREL_OAUTH_ISSUER: 'auth.example.com' },
        'CARREL_OAUTH_ISSUER (--oauth-issuer) must be an absolute URL',
      ],
      [
        ['--oauth-issuer', 'http://auth.example.com', '--oauth-audience', 'https://c.example.com/mcp'],
        {},
        '--oauth-issuer must be an https URL',
      ],
      [
        ['--oauth-issuer', 'https://auth.example.com', '--oauth-audience', 'https://c.example.com/mcp#x'],
        {},
        '--oauth-audience must be a URL without a fragment',
      ],
    ];
    for (const [args, env, message] of cases) {
      const run = await runCli(data, ['serve', '--port', '0', ...args], { env });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(message);
    }
  });
});
