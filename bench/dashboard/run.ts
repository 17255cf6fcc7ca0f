/**
 * What the dashboard costs a visitor: the size of the built page (packages/carrel/dist/web/, raw and
 * gzip) and its first load in Debian's chromium, from navigation to the first task row on the
 * Tasks page, median of N cold loads (a new browser context each: empty cache, no cookie). The
 * server is `carrel serve` as a user runs it (the bundle, no tokens: the loopback mode), over a
 * fresh data dir holding one task made over MCP. Build first with `npm run build`.
 *
 * Usage: node --import tsx bench/dashboard/run.ts [--runs 15]
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { chromium } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WEB = join(ROOT, 'packages/carrel/dist/web');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' } } });
const runs = Number(values.runs);

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

// Bundle size: every file the page loads.
const files = ['index.html', ...readdirSync(join(WEB, 'assets')).map((name) => `assets/${name}`)];
let raw = 0;
let gzip = 0;
for (const file of files) {
  const bytes = readFileSync(join(WEB, file));
  const zipped = gzipSync(bytes).length;
  raw += bytes.length;
  gzip += zipped;
  console.log(`${file.padEnd(32)} ${kib(bytes.length).padStart(10)} raw ${kib(zipped).padStart(10)} gzip`);
}
console.log(`${'total'.padEnd(32)} ${kib(raw).padStart(10)} raw ${kib(gzip).padStart(10)} gzip`);

// First load.
const dataDir = mkdtempSync(join(tmpdir(), 'carrel-dashboard-bench-'));
const serve = spawn(
  process.execPath,
  [join(ROOT, 'packages/carrel/bin/carrel.js'), '--data-dir', dataDir, '--embedder', 'offline', '--json', 'serve', '--port', '0'],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
try {
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    serve.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /"url":\s*"([^"]+)"/.exec(text);
      if (match) resolve(match[1]!);
    });
    serve.once('exit', (code) => reject(new Error(`carrel serve exited (${code})`)));
  });
  const client = new Client({ name: 'dashboard-bench', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  await client.callTool({
    name: 'index_document',
    arguments: { library: 'notes', title: 'Zebras', content: '# Zebras\n\nZebras have stripes.\n', async: true },
  });
  await client.close();

  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-background-networking'],
  });
  const tasksPage = new URL('/dashboard/tasks', url).href;
  const times: number[] = [];
  for (let run = 0; run <= runs; run++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(tasksPage, { waitUntil: 'commit' });
    await page.waitForSelector('tr[data-task-id]');
    // Milliseconds since the navigation began, read in the page (one DevTools round trip late).
    const ms = await page.evaluate(() => performance.now());
    if (run > 0) times.push(ms); // the first warms the server, not the browser's cache
    await context.close();
  }
  await browser.close();
  console.log(
    `first load to the first task row: median ${median(times).toFixed(0)} ms over ${runs} cold loads (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)})`,
  );
} finally {
  serve.kill('SIGTERM');
  await new Promise((resolve) => serve.once('exit', resolve));
  rmSync(dataDir, { recursive: true, force: true });
}
