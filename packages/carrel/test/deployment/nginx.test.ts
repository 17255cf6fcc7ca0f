/**
 * docs/deployment.md's nginx configuration, run as written: nginx (the Debian package, installed by
 * .ci/run) in front of two `carrel serve` nodes on one PostgreSQL database, each with a data dir of
 * its own, with only the two node addresses
 * and the TLS lines replaced. 2025-11-25 sessions opened through it land on both nodes and each
 * keeps reaching the node that holds it (so routing by the session id's prefix works: round-robin
 * would send half of their requests to the wrong node, which answers 404); a session id naming no
 * node falls to any node; 2026-07-28 requests spread over both, and a task created on one is
 * followed to its end on either.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../tasks/test/support/postgres-server.js';
import { mcpHttp, startServe } from '../mcp/support/carrel-process.js';
import { request2026 } from '../mcp/support/rev2026.js';
import { freshDatabase } from '../support/postgres-database.js';
import { tempDir } from '../support/temp-dir.js';

const NGINX = '/usr/sbin/nginx';
const GUIDE = new URL('../../../../docs/deployment.md', import.meta.url);

/** The guide's nginx block: the fenced block after its `<!-- deployment: nginx -->` marker. */
function guideConfig(): string {
  const match = /<!-- deployment: nginx -->\s*```nginx\n([\s\S]*?)```/.exec(readFileSync(GUIDE, 'utf8'));
  if (!match) throw new Error('docs/deployment.md has no nginx block after <!-- deployment: nginx -->');
  return match[1]!;
}

/** nginx in the foreground, one process as this user, everything it writes under `dir`. */
async function startNginx(dir: string, server: string): Promise<{ url: string; stop(): Promise<void> }> {
  if (!existsSync(NGINX)) throw new Error(`${NGINX} is missing: install the nginx-light Debian package (.ci/run does)`);
  for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, sub), { recursive: true });
  const port = await freePort();
  const http = server
    .split('\n')
    .filter((line) => !line.trim().startsWith('ssl_certificate'))
    .join('\n')
    .replace('listen 443 ssl;', `listen 127.0.0.1:${port};`);
  const config = join(dir, 'nginx.conf');
  writeFileSync(
    config,
    `daemon off;
master_process off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
${http}
}
`,
  );
  const child: ChildProcess = spawn(NGINX, ['-p', dir, '-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = `http://127.0.0.1:${port}/mcp`;
  // Up once it answers (any status): nginx has no readiness line on stdout.
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}): ${stderr}`);
    const up = await fetch(url, { method: 'GET' }).then(
      () => true,
      () => false,
    );
    if (up) break;
    if (i > 200) throw new Error(`nginx did not answer on ${url}: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

describe('the deployment guide’s nginx in front of two nodes', { timeout: 120_000 }, () => {
  const stops: Array<() => Promise<void>> = [];
  let url = '';

  beforeAll(async () => {
    // As the guide deploys them: one PostgreSQL database, each node with a data dir of its own.
    const database = await freshDatabase();
    const nodes = await Promise.all(
      ['n1', 'n2'].map((name) => startServe(tempDir(), ['--node-name', name], { CARREL_DATABASE_URL: database })),
    );
    stops.push(...nodes.map((node) => node.stop));
    const [one, two] = nodes.map((node) => new URL(node.url).host);
    const config = guideConfig().replaceAll('10.0.0.11:7337', one!).replaceAll('10.0.0.12:7337', two!);
    const nginx = await startNginx(tempDir(), config);
    stops.push(nginx.stop);
    url = nginx.url;
  }, 120_000);

  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
  });

  it('routes each 2025-11-25 session to the node that opened it, on both nodes', async () => {
    const clients = [];
    for (let i = 0; i < 6; i++) clients.push(await mcpHttp(url));
    try {
      const sessions = clients.map((client) => String((client.transport as { sessionId?: string }).sessionId));
      expect(new Set(sessions.map((id) => id.split('.')[0]))).toEqual(new Set(['n1', 'n2']));
      for (let round = 0; round < 3; round++) {
        await Promise.all(
          clients.map(async (client) => {
            expect((await client.listTools()).tools.map((t) => t.name)).toContain('search');
            const listed = (await client.callTool({ name: 'list_libraries', arguments: {} })) as { isError?: boolean };
            expect(listed.isError).not.toBe(true);
          }),
        );
      }
    } finally {
      await Promise.all(clients.map((client) => client.close()));
    }
  });

  it('sends a session id naming no node to any node, which answers 404 so the client starts over', async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': 'n9.00000000-0000-4000-8000-000000000000',
        'mcp-protocol-version': '2025-11-25',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
    });
    await response.text();
    expect(response.status).toBe(404);
  });

  it('serves 2026-07-28 requests on any node: a task made through one is followed to its end through both', async () => {
    const created = await request2026(url, 'tools/call', {
      name: 'index_document',
      arguments: { library: 'notes', title: 'Zebras', content: '# Zebras\n\nZebras have stripes.\n' },
    });
    const taskId = (created.result as { taskId?: string }).taskId;
    expect(taskId, JSON.stringify(created)).toBeTruthy();
    let status = 'working';
    for (let polls = 0; status === 'working' && polls < 600; polls++) {
      const got = await request2026(url, 'tasks/get', { taskId });
      expect(got.error, JSON.stringify(got)).toBeUndefined();
      status = (got.result as { status: string }).status;
      if (status === 'working') await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(status).toBe('completed');
  });
});
