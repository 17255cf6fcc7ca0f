// `npm run test:package`: proves that the packages as published install and run outside this
// repository. Builds and packs both workspaces, installs the two tarballs into an empty folder
// under the system temp dir (in one command: carrel depends on @carrel/tasks 0.1.0, which only the
// tarball provides), then drives the installed `carrel` with the official MCP SDK client:
// `carrel mcp` over stdio (list tools, index a folder as a task, wait for it, search) and
// `carrel serve --port 0` over Streamable HTTP (list tools, search the same data). Prints the
// tarball and installed sizes and how long each step took. Any failure exits non-zero.
//
// Usage: npm run test:package [-- --keep]   (--keep leaves the temp folders for inspection)
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema, CreateTaskResultSchema, GetTaskResultSchema } from '@modelcontextprotocol/sdk/types.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const KEEP = process.argv.includes('--keep');
const started = Date.now();
const timings = [];

/** Runs `step`, recording how long it took. */
async function timed(name, step) {
  const t0 = Date.now();
  console.log(`== ${name}`);
  const value = await step();
  timings.push([name, Date.now() - t0]);
  return value;
}

function check(condition, message) {
  if (!condition) throw new Error(`test:package: ${message}`);
}

/** npm's environment without what `npm run` adds, so the install sees no trace of this workspace. */
function npmEnv() {
  const env = { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' };
  for (const key of Object.keys(env)) {
    const kept = ['npm_config_registry', 'npm_config_cache', 'npm_config_userconfig'].includes(key);
    if (/^npm_/i.test(key) && !kept) delete env[key];
  }
  return env;
}

/** `carrel`'s environment: its own data dir, the deterministic offline embedder, no settings from outside. */
function carrelEnv(dataDir) {
  const env = { ...npmEnv(), CARREL_DATA_DIR: dataDir, CARREL_EMBEDDER: 'offline' };
  for (const key of Object.keys(env))
    if (key.startsWith('CARREL_') && !['CARREL_DATA_DIR', 'CARREL_EMBEDDER'].includes(key)) delete env[key];
  return env;
}

const work = mkdtempSync(join(tmpdir(), 'carrel-package-'));
const install = join(work, 'install');
const tarballs = join(work, 'tarballs');
const dataDir = join(work, 'data');
mkdirSync(install);
mkdirSync(tarballs);
let serve;
const clients = [];
try {
  await timed('build', () => execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', process.stderr, 'inherit'] }));

  const packed = await timed('npm pack', () =>
    JSON.parse(
      execFileSync(
        'npm',
        ['pack', '--json', '--ignore-scripts', '--pack-destination', tarballs, '-w', 'packages/tasks', '-w', 'packages/carrel'],
        { cwd: ROOT, encoding: 'utf8' },
      ),
    ),
  );
  const byName = new Map(packed.map((p) => [p.name, p]));
  check(byName.has('@carrel/tasks') && byName.has('carrel'), `npm pack made ${packed.map((p) => p.name).join(', ')}`);
  const files = new Set(byName.get('carrel').files.map((f) => f.path));
  for (const path of [
    'bin/carrel.js',
    'dist/bundle/carrel.js',
    // The ingest threads start from these (spawn-worker.ts); the index_document call below runs them.
    'dist/bundle/ingest-worker.js',
    'dist/bundle/store-writer-thread.js',
    'dist/bundle/keyword-reader-thread.js',
    'dist/bundle/page-converter-thread.js',
    'dist/main.js',
    'dist/store/sqlite/migrations/0001_initial.sql',
    // The published pack format (docs/knowledge-packs.md).
    'schemas/pack.schema.json',
    // The dashboard page `carrel serve` hosts, built at package build time (web/).
    'dist/web/index.html',
  ])
    check(files.has(path), `the carrel tarball has no ${path}`);
  check(
    [...files].some((path) => /^dist\/web\/assets\/index-[\w-]+\.js$/.test(path)),
    'the carrel tarball has no built dashboard script',
  );
  check(
    byName.get('@carrel/tasks').files.some((f) => f.path.startsWith('dist/backends/sqlite/migrations/')),
    'the @carrel/tasks tarball has no SQL migrations',
  );

  writeFileSync(join(install, 'package.json'), `${JSON.stringify({ name: 'carrel-package-test', private: true }, null, 2)}\n`);
  await timed('npm install (the two tarballs, into an empty folder)', () =>
    execFileSync(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        join(tarballs, byName.get('@carrel/tasks').filename),
        join(tarballs, byName.get('carrel').filename),
      ],
      { cwd: install, env: npmEnv(), stdio: ['ignore', process.stderr, 'inherit'] },
    ),
  );
  const bin = join(install, 'node_modules', '.bin', 'carrel');
  const version = execFileSync(bin, ['--version'], { cwd: install, env: carrelEnv(dataDir), encoding: 'utf8' }).trim();
  check(version === byName.get('carrel').version, `carrel --version printed ${version}`);

  // Documents to index from a folder, as a user would: markdown and HTML (the HTML converter is an external dependency).
  const docs = join(install, 'docs');
  mkdirSync(docs);
  const filler = 'Carrel reads this paragraph so the section is long enough to be a chunk of its own. '.repeat(6);
  writeFileSync(
    join(docs, 'install.md'),
    `# Installing\n\n## With npm\n\nRun npm install -g carrel, then start the zebrafish server.\n\n${filler}\n`,
  );
  writeFileSync(
    join(docs, 'page.html'),
    `<!doctype html><html><head><title>Tuning</title></head><body><main><h1>Tuning</h1><p>The quokka setting controls batch size. ${filler}</p></main></body></html>`,
  );
  // Enough pages that the ingest converts them on its page-converter thread (from its bundle).
  mkdirSync(join(docs, 'reference'));
  for (let i = 0; i < 100; i++)
    writeFileSync(
      join(docs, 'reference', `option${i}.html`),
      `<!doctype html><html><head><title>Option ${i}</title></head><body><main><h1>Option ${i}</h1><p>Option ${i} sets the ${i === 7 ? 'pangolin' : 'plain'} limit. ${filler}</p></main></body></html>`,
    );

  await timed('carrel mcp over stdio: tools, index_document as a task, search', async () => {
    const client = new Client({ name: 'carrel-package-test', version: '1.0.0' });
    clients.push(client);
    await client.connect(
      new StdioClientTransport({ command: bin, args: ['--allow', docs, 'mcp'], cwd: install, env: carrelEnv(dataDir), stderr: 'inherit' }),
    );
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    for (const name of ['index_document', 'search', 'get_task', 'status'])
      check(names.includes(name), `tools/list has no ${name}: ${names.join(', ')}`);

    const { task } = await client.request(
      { method: 'tools/call', params: { name: 'index_document', arguments: { library: 'pkg', path: docs }, task: {} } },
      CreateTaskResultSchema,
    );
    check(typeof task.taskId === 'string', 'index_document did not create a task');
    const deadline = Date.now() + 60_000;
    let status;
    for (;;) {
      ({ status } = await client.request({ method: 'tasks/get', params: { taskId: task.taskId } }, GetTaskResultSchema));
      if (['completed', 'failed', 'cancelled'].includes(status)) break;
      check(Date.now() < deadline, `the index task is still ${status} after 60 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    check(status === 'completed', `the index task ended ${status}`);
    const result = await client.request({ method: 'tasks/result', params: { taskId: task.taskId } }, CallToolResultSchema);
    check(!result.isError && result.structuredContent?.created === 102, `index_document: ${JSON.stringify(result.content)}`);

    for (const [query, title] of [
      ['zebrafish server', 'Installing'],
      ['quokka batch size', 'Tuning'],
      ['pangolin limit', 'Option 7'],
    ]) {
      const found = await client.callTool({ name: 'search', arguments: { query, library: 'pkg' } });
      const results = found.structuredContent?.results ?? [];
      check(!found.isError && results.length > 0, `search "${query}" found nothing: ${JSON.stringify(found.content)}`);
      check(JSON.stringify(results[0]).includes(title), `search "${query}" ranked first ${JSON.stringify(results[0]).slice(0, 200)}`);
    }
    await client.close();
  });

  // A store this small searches keywords inline; a large one hands them to this bundled thread
  // (store/sqlite/keyword-reader.ts), so ask it directly with the data the index run just stored.
  await timed('the bundled keyword reader thread: search the stored chunks', async () => {
    const worker = new Worker(join(install, 'node_modules', 'carrel', 'dist', 'bundle', 'keyword-reader-thread.js'), {
      workerData: { path: join(dataDir, 'carrel.db') },
    });
    try {
      const reply = await new Promise((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
        worker.postMessage({ id: 1, query: 'pangolin limit', filters: { library: 'pkg' }, limit: 5 });
      });
      // Only "Option 7" holds both words; the other options match "limit" alone.
      const { hits, allWords } = reply.value ?? {};
      check(
        hits?.length === 5 && allWords.size === 1 && allWords.has(hits[0].chunkId),
        `the keyword thread answered ${JSON.stringify(reply)}`,
      );
    } finally {
      await worker.terminate();
    }
  });

  await timed('carrel serve over Streamable HTTP: tools, search', async () => {
    serve = spawn(bin, ['--json', 'serve', '--port', '0'], { cwd: install, env: carrelEnv(dataDir), stdio: ['ignore', 'pipe', 'inherit'] });
    const url = await new Promise((resolve, reject) => {
      let out = '';
      serve.stdout.on('data', (chunk) => {
        out += chunk.toString();
        const match = /"url":\s*"([^"]+)"/.exec(out);
        if (match) resolve(match[1]);
      });
      serve.once('exit', (code) => reject(new Error(`test:package: carrel serve exited (${code}) before printing its URL: ${out}`)));
    });
    console.log(`   carrel serve printed ${url}`);
    const client = new Client({ name: 'carrel-package-test', version: '1.0.0' });
    clients.push(client);
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    const { tools } = await client.listTools();
    check(
      tools.some((t) => t.name === 'search'),
      'tools/list over HTTP has no search',
    );
    const found = await client.callTool({ name: 'search', arguments: { query: 'zebrafish', library: 'pkg' } });
    check(
      JSON.stringify(found.structuredContent?.results ?? []).includes('Installing'),
      `search over HTTP: ${JSON.stringify(found.content)}`,
    );
    await client.close();
    const exited = new Promise((resolve) => serve.once('exit', resolve));
    serve.kill('SIGTERM');
    check((await exited) === 0, 'carrel serve did not exit 0 on SIGTERM');
    serve = undefined;
  });

  const installedKb = Number(execFileSync('du', ['-sk', join(install, 'node_modules')], { encoding: 'utf8' }).split('\t')[0]);
  const mb = (bytes) => `${(bytes / 1e6).toFixed(2)} MB`;
  console.log('\n== test:package passed');
  for (const p of packed) console.log(`${p.filename}: packed ${mb(p.size)}, unpacked ${mb(p.unpackedSize)}, ${p.entryCount} files`);
  console.log(`installed node_modules (du -sk): ${(installedKb / 1024).toFixed(0)} MiB`);
  for (const [name, ms] of timings) console.log(`${(ms / 1000).toFixed(1).padStart(6)} s  ${name}`);
  console.log(`${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s  total`);
} finally {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  serve?.kill('SIGKILL');
  if (KEEP) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
