/**
 * The built page served as files over real HTTP: index.html for the page and its client routes,
 * hashed assets with their types and a long cache, the hardening headers on everything, no path
 * that reaches outside the build (sent raw, as a browser would never normalise it), and a clear
 * 503 when the front-end was never built.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp-dir.js';
import { startServer } from './support/dashboard-server.js';

function builtPage(): string {
  const root = tempDir();
  mkdirSync(join(root, 'assets', 'fonts'), { recursive: true });
  writeFileSync(
    join(root, 'index.html'),
    '<!doctype html><title>Carrel</title><script type="module" src="/dashboard/assets/app-1a2b.js"></script>',
  );
  writeFileSync(join(root, 'assets', 'app-1a2b.js'), 'export const app = 1;');
  writeFileSync(join(root, 'assets', 'app-1a2b.css'), 'body{}');
  writeFileSync(join(root, 'assets', 'fonts', 'x-9f.woff2'), 'font');
  // Beside the build, where a traversal would look.
  writeFileSync(join(root, 'secret.txt'), 'do not serve');
  return root;
}

/** GET `path` exactly as written (fetch would resolve `..` before sending). */
function rawGet(origin: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    request({ host: hostname, port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    })
      .on('error', reject)
      .end();
  });
}

describe('dashboard static files', { timeout: 60_000 }, () => {
  it('serves index.html for the page and its client routes, with CSP and hardening headers', async () => {
    const server = await startServer({ dashboard: { staticRoot: builtPage() } });
    for (const path of ['/dashboard/', '/dashboard/tasks', '/dashboard/tasks/abc123', '/dashboard/libraries/react']) {
      const response = await fetch(`${server.origin}${path}`);
      expect([path, response.status, response.headers.get('content-type')]).toEqual([path, 200, 'text/html; charset=utf-8']);
      expect(await response.text()).toContain('<title>Carrel</title>');
      const csp = response.headers.get('content-security-policy')!;
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
    }
    const bare = await fetch(`${server.origin}/dashboard`, { redirect: 'manual' });
    expect([bare.status, bare.headers.get('location')]).toEqual([308, '/dashboard/']);
    // The API's headers are as strict.
    expect((await fetch(`${server.origin}/dashboard/api/session`)).headers.get('x-frame-options')).toBe('DENY');
  });

  it('serves hashed assets with their content type and a long cache, and 404s anything else', async () => {
    const server = await startServer({ dashboard: { staticRoot: builtPage() } });
    const expectations = [
      ['/dashboard/assets/app-1a2b.js', 'text/javascript; charset=utf-8'],
      ['/dashboard/assets/app-1a2b.css', 'text/css; charset=utf-8'],
      ['/dashboard/assets/fonts/x-9f.woff2', 'font/woff2'],
    ];
    for (const [path, type] of expectations) {
      const response = await fetch(`${server.origin}${path}`);
      expect([path, response.status, response.headers.get('content-type')]).toEqual([path, 200, type]);
      expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    }
    expect((await fetch(`${server.origin}/dashboard/assets/missing-00.js`)).status).toBe(404);
    expect((await fetch(`${server.origin}/dashboard/favicon.ico`)).status).toBe(404);
    // An unknown API path is a JSON 404, not the page.
    const api = await fetch(`${server.origin}/dashboard/api/nothing`);
    expect([api.status, ((await api.json()) as { error: { code: string } }).error.code]).toEqual([404, 'not_found']);
  });

  it('never serves a file outside the build, however the path is written', async () => {
    const server = await startServer({ dashboard: { staticRoot: builtPage() } });
    for (const path of [
      '/dashboard/assets/../secret.txt',
      '/dashboard/assets/%2e%2e/secret.txt',
      '/dashboard/assets/..%2fsecret.txt',
      '/dashboard/assets/%2e%2e%2f%2e%2e%2fpackage.json',
      '/dashboard/assets/....//secret.txt',
      '/dashboard/assets//etc/passwd',
      '/dashboard/assets/%00',
      '/dashboard/../dashboard/assets/../secret.txt',
    ]) {
      const { status, body } = await rawGet(server.origin, path);
      expect([path, body.includes('do not serve')]).toEqual([path, false]);
      expect([path, status === 404 || status === 400 || body.includes('<title>Carrel</title>')]).toEqual([path, true]);
    }
  });

  it('answers 503 with a clear message when the front-end was not built', async () => {
    const server = await startServer({ dashboard: { staticRoot: join(tempDir(), 'absent') } });
    const response = await fetch(`${server.origin}/dashboard/`);
    expect(response.status).toBe(503);
    expect(await response.text()).toMatch(/dashboard has not been built: run `npm run build`/);
    // The API still answers.
    expect((await fetch(`${server.origin}/dashboard/api/session`)).status).toBe(200);
  });
});
