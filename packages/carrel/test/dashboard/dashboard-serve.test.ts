/**
 * `carrel serve` as a user runs it (a child process): it prints the dashboard's URL beside the MCP
 * endpoint's and serves the dashboard's API there, behind the same token as `/mcp`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startServe } from '../mcp/support/carrel-process.js';
import { tempDir } from '../support/temp-dir.js';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

describe('carrel serve with the dashboard', { timeout: 60_000 }, () => {
  it('prints the dashboard URL beside the MCP one and answers its API with the same token', async () => {
    const token = 'serve-token-0123456789abcdef';
    const server = await startServe(tempDir(), ['--token', token]);
    stops.push(server.stop);
    const dashboard = new URL('/dashboard/', server.url).href;
    await expect.poll(() => server.printed()).toContain(`"dashboard": "${dashboard}"`);
    expect((await fetch(new URL('api/tasks', dashboard))).status).toBe(401);
    const login = await fetch(new URL('api/login', dashboard), {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: new URL(server.url).origin },
      body: JSON.stringify({ token }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const tasks = await fetch(new URL('api/tasks', dashboard), { headers: { cookie } });
    expect(await tasks.json()).toEqual({ tasks: [] });
  });
});
