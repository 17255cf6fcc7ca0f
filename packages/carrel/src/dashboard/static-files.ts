/**
 * The built front-end (`packages/carrel/dist/web/`: `index.html` and hashed `assets/`),
 * served as files. Only files listed when the server starts are served, looked up by exact name,
 * so no request path ever reaches the file system: `..`, encoded slashes and symlinks lead
 * nowhere. A page path without a dot gets `index.html` (the page routes itself); a missing build
 * is a 503 that says how to make one.
 *
 * @module
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { getMimeType } from 'hono/utils/mime';

/** Where the package build puts the front-end: carrel's `dist/web/`, seen from `src/dashboard/` or `dist/dashboard/` alike. */
export const BUILT_DASHBOARD = fileURLToPath(new URL('../../dist/web/', import.meta.url));

/** The page's files under `root`: `index.html`, and each file under `assets/` by its path with `/`. */
function listFiles(root: string): { index: string | undefined; assets: ReadonlyMap<string, string> } {
  const index = join(root, 'index.html');
  const assetsDir = join(root, 'assets');
  const assets = new Map<string, string>();
  if (existsSync(assetsDir))
    for (const name of readdirSync(assetsDir, { recursive: true, encoding: 'utf8' })) {
      const path = join(assetsDir, name);
      if (statSync(path).isFile()) assets.set(name.split(sep).join('/'), path);
    }
  return { index: existsSync(index) ? index : undefined, assets };
}

/** The static routes over the built front-end in `root`. */
export function staticFiles(root: string): Hono {
  const { index, assets } = listFiles(root);
  const page = async () => {
    if (index === undefined)
      return new Response(
        'The dashboard has not been built: run `npm run build` in the carrel package (an installed carrel ships it built).',
        { status: 503, headers: { 'content-type': 'text/plain; charset=utf-8' } },
      );
    return new Response(await readFile(index), { headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' } });
  };
  return new Hono()
    .get('/', page)
    .get('/assets/*', async (c) => {
      const name = c.req.path.slice('/dashboard/assets/'.length);
      const path = assets.get(name);
      if (path === undefined) return c.text('Not Found', 404);
      return new Response(await readFile(path), {
        headers: {
          'content-type': getMimeType(name) ?? 'application/octet-stream',
          // Hashed names: a changed file is a new name.
          'cache-control': 'public, max-age=31536000, immutable',
        },
      });
    })
    .get('/*', (c) => (c.req.path.split('/').pop()!.includes('.') ? c.text('Not Found', 404) : page()));
}
