/**
 * The generated site the crawl benchmark reads, served by a child process so that the server and
 * the crawler do not share an event loop: `pages` HTML pages of ~5 KB, each linking to its
 * parent, its children (a tree of fan-out 8, so every page is reachable within a few hops) and a
 * few pseudo-random pages, plus robots.txt, a sitemap of every page and ETags honoured with 304s.
 * It prints its base URL on stdout once listening, and exits when its stdin closes.
 *
 *   node --import tsx bench/connectors/crawl-site.ts --pages 2000
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const i = process.argv.indexOf('--pages');
const PAGES = i >= 0 ? Number(process.argv[i + 1]) : 2000;
const FAN_OUT = 8;

const WORDS = 'task queue lease retry backoff worker schedule cancel result store index chunk embed search'.split(' ');
function page(n: number): string {
  const links = new Set<number>();
  if (n > 0) links.add(Math.floor((n - 1) / FAN_OUT));
  for (let c = n * FAN_OUT + 1; c <= n * FAN_OUT + FAN_OUT && c < PAGES; c++) links.add(c);
  for (let k = 1; k <= 4; k++) links.add((n * 7919 + k * 104729) % PAGES);
  const text = Array.from({ length: 700 }, (_, w) => WORDS[(n * 31 + w * 17) % WORDS.length]).join(' ');
  return `<!doctype html><html><head><title>Page ${n}</title></head><body><nav>${[...links]
    .map((l) => `<a href="/p/${l}">Page ${l}</a>`)
    .join(' ')}</nav><main><h1>Page ${n}</h1><p>${text}</p></main></body></html>`;
}

const bodies = Array.from({ length: PAGES }, (_, n) => page(n));
const etags = bodies.map((body) => `"${createHash('sha1').update(body).digest('hex')}"`);

const server = createServer((req, res) => {
  const path = req.url ?? '/';
  if (path === '/robots.txt') return res.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: *\nAllow: /\n');
  if (path === '/sitemap.xml') {
    const base = `http://${req.headers.host}`;
    const urls = bodies.map((_, n) => `<url><loc>${base}/p/${n}</loc></url>`).join('');
    return res
      .writeHead(200, { 'content-type': 'application/xml' })
      .end(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${urls}</urlset>`);
  }
  const match = /^\/p\/(\d+)$/.exec(path);
  const n = match ? Number(match[1]) : path === '/' ? 0 : -1;
  if (n < 0 || n >= PAGES) return res.writeHead(404).end();
  if (req.headers['if-none-match'] === etags[n]) return res.writeHead(304, { etag: etags[n] }).end();
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', etag: etags[n] }).end(bodies[n]);
});
process.stdin.on('end', () => process.exit(0)).resume();
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
