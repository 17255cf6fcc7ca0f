/**
 * The `carrel` CLI as real child processes on real data dirs: `add`, `search`, `libraries`,
 * `docs rm`, `status` and `tasks` with `--json`; errors as one-line messages with exit codes and
 * nothing stored changed; Ctrl-C and `tasks cancel` stopping a running `add` through its task.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GUIDE, mcpStdio, runCli, spawnCli, writeCorpus, type CliRun } from '../mcp/support/carrel-process.js';
import { tempDir } from '../support/temp-dir.js';

const json = (text: string) => JSON.parse(text) as Record<string, unknown>;
/** The JSON a `--json` command printed; a failed command fails the test with what it said. */
const output = (run: CliRun) => {
  if (run.code !== 0) throw new Error(`carrel exited ${run.code}: ${run.stderr}`);
  return json(run.stdout);
};

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/**
 * An OpenAI-compatible embeddings endpoint on 127.0.0.1 that answers the model's dimension probe
 * and then nothing: an `add` using it is held at its first batch (`requested`), so it is still
 * running when the test cancels it, however fast or loaded the machine. A cancel aborts the held
 * request.
 */
async function heldEmbeddings(): Promise<{ env: Record<string, string>; requested: Promise<void> }> {
  let requestedNow: () => void = () => undefined;
  const requested = new Promise<void>((resolve) => (requestedNow = resolve));
  let probed = false;
  const server = createServer((req, res) => {
    if (probed) return requestedNow();
    probed = true;
    req.resume().on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: [{ index: 0, embedding: [1, 0, 0, 0] }] }));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const env = { CARREL_OPENAI_BASE_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, CARREL_OPENAI_API_KEY: 'test' };
  return { env, requested };
}

/** The task id a running `carrel add` announces on stderr; keeps collecting stderr into `log`. */
function startedTaskId(child: ChildProcess, log: { text: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      log.text += chunk.toString();
      const match = /Task (\S+) started/.exec(log.text);
      if (match) resolve(match[1]!);
    });
    child.once('exit', () => reject(new Error(`carrel add ended without starting a task: ${log.text}`)));
  });
}

// Each test runs the real command as a dozen child processes one after another, from the TypeScript
// sources (1–3 s of start-up each on a loaded 2-core machine): far more than vitest's default allows.
describe('carrel CLI', { timeout: 120_000 }, () => {
  it('adds a folder as a task, then searches, reindexes, lists, shows and removes what it stored (--json)', async () => {
    const data = tempDir();
    const docs = tempDir();
    writeFileSync(join(docs, 'guide.md'), GUIDE);
    const added = await runCli(data, ['--json', 'add', docs, '--library', 'guide', '--lib-version', '2.0', '--tag', 'docs']);
    expect(added).toMatchObject({ code: 0, stderr: '' });
    expect(json(added.stdout)).toMatchObject({ library: 'guide', version: '2.0', created: 1, chunks: 2 });

    const found = await runCli(data, ['--json', 'search', 'install', 'the', 'package', '--tag', 'docs']);
    const results = json(found.stdout).results as { documentId: number; heading: string }[];
    expect(results[0]).toMatchObject({ heading: 'Guide > Install' });

    const human = await runCli(data, ['search', 'install', '--library', 'guide']);
    expect(human.stdout).toMatch(/^1\. Guide — Guide > Install \(guide@2\.0\)/);

    expect(output(await runCli(data, ['--json', 'libraries']))).toEqual({
      libraries: [expect.objectContaining({ name: 'guide', version: '2.0', documents: 1 })],
    });

    const tasks = output(await runCli(data, ['--json', 'tasks', 'list'])).tasks as { id: string; tool: string; status: string }[];
    expect(tasks).toEqual([expect.objectContaining({ tool: 'add', status: 'completed' })]);
    const shown = output(await runCli(data, ['--json', 'tasks', 'show', tasks[0]!.id]));
    expect(shown).toMatchObject({ id: tasks[0]!.id, progress: { current: 1, total: 1 }, arguments: { library: 'guide', path: docs } });

    const reindexed = await runCli(data, ['--json', 'reindex', 'guide', '--lib-version', '2.0']);
    expect(json(reindexed.stdout)).toMatchObject({ library: 'guide', version: '2.0', chunksWithoutVectors: 0 });

    const docsList = output(await runCli(data, ['--json', 'docs', 'list', '--library', 'guide']));
    expect(docsList).toMatchObject({ documents: [{ id: results[0]!.documentId, title: 'Guide', tags: ['docs'] }], hasMore: false });
    const shownDoc = await runCli(data, ['docs', 'show', String(results[0]!.documentId)]);
    expect(shownDoc.stdout).toMatch(/^# Guide\n/);
    expect(shownDoc.stdout).toContain('Run npm install carrel to install the package.');

    const removed = await runCli(data, ['--json', 'docs', 'rm', String(results[0]!.documentId)]);
    expect(json(removed.stdout)).toEqual({ deleted: results[0]!.documentId });
    expect(output(await runCli(data, ['--json', 'status']))).toMatchObject({
      libraries: [expect.objectContaining({ documents: 0, chunks: 0 })],
    });
  });

  it("shows an HTML page's link targets after its text with docs show --links", async () => {
    const data = tempDir();
    const docs = tempDir();
    writeFileSync(
      join(docs, 'retries.html'),
      '<html><body><h1>Retries</h1><p>Jobs wait, as <a href="https://example.org/backoff.html">the backoff guide</a> says.</p></body></html>',
    );
    expect(await runCli(data, ['--json', 'add', docs, '--library', 'site'])).toMatchObject({ code: 0 });
    const id = (output(await runCli(data, ['--json', 'docs', 'list'])).documents as { id: number }[])[0]!.id;
    const plain = await runCli(data, ['docs', 'show', String(id)]);
    expect(plain.stdout).toContain('Jobs wait, as the backoff guide says.');
    expect(plain.stdout).not.toContain('example.org');
    const withLinks = await runCli(data, ['docs', 'show', String(id), '--links']);
    expect(withLinks.stdout).toContain(
      'Jobs wait, as the backoff guide says.\n\n## Links\n\n- the backoff guide → https://example.org/backoff.html',
    );
  });

  it('explains bad input in one line with its exit code, and stores nothing', async () => {
    const data = tempDir();
    const docs = tempDir();
    writeFileSync(join(docs, 'guide.md'), GUIDE);
    expect((await runCli(data, ['add', docs, '--library', 'guide'])).code).toBe(0);
    const before = (await runCli(data, ['--json', 'status'])).stdout;

    const missing = await runCli(data, ['add', join(docs, 'nope.md')]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/^carrel: Task \S+ failed|^carrel: File not found: .*nope\.md/m);

    const unknownDoc = await runCli(data, ['docs', 'rm', '999']);
    expect(unknownDoc).toMatchObject({ code: 3, stderr: 'carrel: Document not found: 999\n' });

    const badLimit = await runCli(data, ['search', 'x', '--limit', 'many']);
    expect(badLimit.code).toBe(2);
    expect(badLimit.stderr).toContain('--limit takes a whole number');

    const outOfRange = await runCli(data, ['search', 'x', '--limit', '500']);
    expect(outOfRange).toMatchObject({ code: 2, stderr: 'carrel: Invalid limit: expected an integer from 1 to 100\n' });

    const badEmbedder = await runCli(data, ['--embedder', 'gpt', 'status']);
    expect(badEmbedder.code).toBe(2);
    expect(badEmbedder.stderr).toMatch(/Allowed choices are local, offline, openai, none/);

    const unknownTask = await runCli(data, ['tasks', 'show', 'no-such-task']);
    expect(unknownTask.code).toBe(3);
    expect(unknownTask.stderr).toMatch(/^carrel: .*no-such-task.*carrel tasks list/);

    const badStatus = await runCli(data, ['tasks', 'list', '--status', 'sleeping']);
    expect(badStatus).toMatchObject({ code: 2, stderr: expect.stringContaining('Unknown status sleeping') });

    const done = output(await runCli(data, ['--json', 'tasks', 'list', '--status', 'completed'])).tasks as { id: string }[];
    const terminal = await runCli(data, ['tasks', 'cancel', done[0]!.id]);
    expect(terminal.code).toBe(2);

    expect((await runCli(data, ['--json', 'status'])).stdout).toBe(before);
  });

  it('takes library@version wherever it names a library, as carrel libraries prints it; an unknown one is not found (3)', async () => {
    const data = tempDir();
    const docs = tempDir();
    writeFileSync(join(docs, 'guide.md'), GUIDE);
    expect(output(await runCli(data, ['--json', 'add', docs, '--library', 'guide@2.0']))).toMatchObject({
      library: 'guide',
      version: '2.0',
    });
    expect((await runCli(data, ['libraries'])).stdout).toMatch(/^guide@2\.0 /);

    expect(output(await runCli(data, ['--json', 'reindex', 'guide@2.0']))).toMatchObject({ library: 'guide', version: '2.0' });
    const found = output(await runCli(data, ['--json', 'search', 'install', '--library', 'guide@2.0'])).results as { heading: string }[];
    expect(found[0]).toMatchObject({ heading: 'Guide > Install' });
    expect(output(await runCli(data, ['--json', 'docs', 'list', '--library', 'guide@2.0']))).toMatchObject({
      documents: [{ library: 'guide', version: '2.0' }],
    });

    const unknown = await runCli(data, ['reindex', 'guide@3.0']);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toMatch(/^carrel: Library not found: guide@3\.0/m);
  });

  it('names fixes as commands: carrel reindex <library>, carrel libraries (not API methods)', async () => {
    const data = tempDir();
    const docs = tempDir();
    writeFileSync(join(docs, 'guide.md'), GUIDE);
    // An embedding endpoint that fails at once (fetch refuses port 9): the add stores BM25 only.
    const env = { CARREL_OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', CARREL_OPENAI_API_KEY: 'test' };
    const added = await runCli(data, ['--embedder', 'openai', 'add', docs, '--library', 'guide@2.0'], { env });
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(
      /^Note: No vectors: .*Stored for BM25 search until the model is available; run carrel reindex guide@2\.0$/m,
    );
    const status = await runCli(data, ['status']);
    expect(status.stdout).toMatch(/^ {2}guide@2\.0: \d+ chunks without vectors; run carrel reindex guide@2\.0$/m);
    // Chunked for the endpoint's 512-token window; status runs with the default model's 254.
    expect(status.stdout).toMatch(/^ {2}guide@2\.0: chunked for 512 tokens .*, not 254 tokens .*; run carrel reindex guide@2\.0$/m);
    for (const run of [added, status]) expect(run.stdout).not.toMatch(/reindexLibrary|reindex_library/);

    const unknown = await runCli(data, ['reindex', 'nope']);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toMatch(/^carrel: Library not found: nope; carrel libraries lists them$/m);
  });

  it('docs list says when there are more and filters by source or title; search in an unknown library says so (3)', async () => {
    const data = tempDir();
    const docs = tempDir();
    for (const name of ['Alpha', 'Beta', 'Gamma']) writeFileSync(join(docs, `${name.toLowerCase()}.md`), `# ${name}\n\nAbout ${name}.\n`);
    expect((await runCli(data, ['add', docs, '--library', 'greek'])).code).toBe(0);

    const first = await runCli(data, ['docs', 'list', '--limit', '2']);
    expect(first.stdout).toMatch(/Alpha[\s\S]*Beta[\s\S]*\nShowing 1-2; more with --offset 2 /);
    const rest = await runCli(data, ['docs', 'list', '--limit', '2', '--offset', '2']);
    expect(rest.stdout).toMatch(/^ +\d+ {2}Gamma {2}\(greek, .*gamma\.md\)\n$/);

    const byTitle = output(await runCli(data, ['--json', 'docs', 'list', '--title', 'BET'])).documents;
    expect(byTitle).toEqual([expect.objectContaining({ title: 'Beta' })]);
    const bySource = output(await runCli(data, ['--json', 'docs', 'list', '--source', join(docs, 'gam')])).documents;
    expect(bySource).toEqual([expect.objectContaining({ title: 'Gamma' })]);

    const unknown = await runCli(data, ['search', 'alpha', '--library', 'greke']);
    expect(unknown).toMatchObject({ code: 3, stdout: '', stderr: 'carrel: Library not found: greke; carrel libraries lists them\n' });
  });

  it('cancels a running add on Ctrl-C, through its task', async () => {
    const data = tempDir();
    const docs = writeCorpus(join(tempDir(), 'docs'), 40, 30);
    const { env, requested } = await heldEmbeddings();
    const add = spawnCli(data, ['--embedder', 'openai', 'add', docs, '--library', 'big'], { env });
    const exit = once(add, 'exit');
    const log = { text: '' };
    const id = await startedTaskId(add, log);
    await requested;
    add.kill('SIGINT');
    const [code] = (await exit) as [number];
    expect(code).toBe(130);
    expect(log.text).toContain(`Task ${id} was cancelled`);
    expect(output(await runCli(data, ['--json', 'tasks', 'show', id]))).toMatchObject({
      status: 'cancelled',
      statusMessage: 'Cancelled with Ctrl-C',
    });
  });

  it('cancels a running add from another process with tasks cancel, while tasks watch follows it', async () => {
    const data = tempDir();
    const docs = writeCorpus(join(tempDir(), 'docs'), 40, 30);
    const { env, requested } = await heldEmbeddings();
    const add = spawnCli(data, ['--embedder', 'openai', 'add', docs, '--library', 'big'], { env });
    const addExit = once(add, 'exit');
    const log = { text: '' };
    const id = await startedTaskId(add, log);
    await requested;
    const watch = spawnCli(data, ['--json', 'tasks', 'watch', id]);
    const watchExit = once(watch, 'exit');
    let watched = '';
    watch.stdout!.on('data', (chunk: Buffer) => (watched += chunk.toString()));
    const cancelled = await runCli(data, ['--json', 'tasks', 'cancel', id]);
    expect(cancelled.code).toBe(0);
    expect(json(cancelled.stdout)).toMatchObject({ id, status: 'cancelled' });
    const [[addCode], [watchCode]] = (await Promise.all([addExit, watchExit])) as [[number], [number]];
    expect(log.text).toContain(`Task ${id} was cancelled`);
    expect(addCode).toBe(130);
    expect(watchCode).toBe(0);
    const events = watched.trim().split('\n').map(json);
    expect(events.at(-1)).toMatchObject({ id, status: 'cancelled', statusMessage: 'Cancelled with carrel tasks cancel' });
  });

  it('resumes an add whose process was killed in the next carrel mcp on the data dir, with the path the user gave', async () => {
    const data = tempDir();
    const docs = writeCorpus(join(tempDir(), 'docs'), 400, 30);
    // A short lease so the dead process's task is rescued in about a second, not thirty.
    const env = { CARREL_TASK_LEASE_MS: '1000' };
    const add = spawnCli(data, ['add', docs, '--library', 'big'], { env });
    const exit = once(add, 'exit');
    const id = await startedTaskId(add, { text: '' });
    add.kill('SIGKILL');
    await exit;
    // No --allow for docs: permission to read the path travels with the add task.
    const { client } = await mcpStdio(data, { env });
    try {
      type Task = { status: string };
      const statusOf = async () =>
        ((await client.callTool({ name: 'get_task', arguments: { taskId: id } })).structuredContent as { task: Task }).task.status;
      expect(await statusOf()).toBe('working');
      let status: string;
      do status = await statusOf();
      while (status === 'working');
      expect(status).toBe('completed');
      const libraries = (await client.callTool({ name: 'list_libraries', arguments: {} })).structuredContent as {
        libraries: { name: string; documents: number }[];
      };
      expect(libraries.libraries).toEqual([expect.objectContaining({ name: 'big', documents: 400 })]);
    } finally {
      await client.close();
    }
  });

  it('continues a killed add in the next add of the same arguments at once, running no other task and leaving none working', async () => {
    const data = tempDir();
    const docs = writeCorpus(join(tempDir(), 'docs'), 1500, 30);
    const other = writeCorpus(join(tempDir(), 'other'), 1500, 30);
    // A ten-minute lease: a rerun that had to wait for the dead process's lease to run out would time out.
    const env = { CARREL_TASK_LEASE_MS: '600000' };
    type Shown = { id: string; status: string; statusMessage: string | null; progress: { current: number } | null };
    const show = async (id: string) => output(await runCli(data, ['--json', 'tasks', 'show', id])) as unknown as Shown;
    /** Starts an add and SIGKILLs it while it works: its task is left `working`, leased by a dead process. */
    const killMidRun = async (dir: string, library: string) => {
      const add = spawnCli(data, ['add', dir, '--library', library], { env });
      const exit = once(add, 'exit');
      const id = await startedTaskId(add, { text: '' });
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      add.kill('SIGKILL');
      await exit;
      return id;
    };
    const leftover = await killMidRun(docs, 'big');
    const unrelated = await killMidRun(other, 'other');
    const unrelatedBefore = await show(unrelated);
    expect((await show(leftover)).status).toBe('working');
    expect(unrelatedBefore.status).toBe('working');

    const again = await runCli(data, ['add', docs, '--library', 'big'], { env });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(`Task ${leftover} continued`);
    // One walk of the folder: each of its documents counted once.
    const counted = again.stdout
      .split(/[:;,]/)
      .map((part) => /^ ?(\d+) (?:created|updated|unchanged)$/.exec(part))
      .reduce((n, m) => n + Number(m?.[1] ?? 0), 0);
    expect(counted).toBe(1500);

    const tasks = output(await runCli(data, ['--json', 'tasks', 'list'])).tasks as Shown[];
    expect(tasks.map((t) => [t.id, t.status])).toEqual([
      [unrelated, 'working'],
      [leftover, 'completed'],
    ]);
    // The other folder's task is left to a server: this add did not run it.
    expect((await show(unrelated)).progress).toEqual(unrelatedBefore.progress);
    const libraries = output(await runCli(data, ['--json', 'libraries'])).libraries as { name: string; documents: number }[];
    expect(libraries.find((l) => l.name === 'big')).toMatchObject({ documents: 1500 });
  });
});
