/**
 * The guides in docs/ keep working: every runnable example in docs/examples/ is run against a real
 * store (memory, or SQLite in a temp dir; the MCP example with the official SDK client on
 * 127.0.0.1), and every TypeScript block in a guide must be a verbatim region of an example file,
 * so what a reader copies is what CI type-checks (tsconfig.tests.json) and runs here.
 *
 * A guide's block is tied to its source by the line before it:
 * `<!-- example: examples/handler.ts#publish -->`, naming a `//#region publish` … `//#endregion`.
 * `UPDATE_DOCS=1 npx vitest run packages/tasks/test/docs-examples.test.ts` rewrites the blocks.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Sqlite from 'better-sqlite3';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { TaskTerminalError } from '@carrel/tasks';
import { main as completeInTransactionExample } from '../../../docs/examples/complete-in-transaction.js';
import { main as gettingStarted } from '../../../docs/examples/getting-started.js';
import { main as handlerExample } from '../../../docs/examples/handler.js';
import { main as inProcessEmbedderExample } from '../../../docs/examples/in-process-embedder.js';
import { main as knowledgeBaseExample } from '../../../docs/examples/knowledge-base.js';
import { main as lifecycleExample } from '../../../docs/examples/lifecycle.js';
import { createArchiveServer, serveWithTokens } from '../../../docs/examples/mcp-server.js';
import { main as operatingExample } from '../../../docs/examples/operating.js';
import { main as sqliteExample } from '../../../docs/examples/sqlite-processes.js';
import { startOrExplain } from '../../../docs/examples/upgrading.js';
import {
  main as workflowExample,
  ran as workflowSteps,
  resume as workflowResume,
  viaTool as workflowViaTool,
} from '../../../docs/examples/workflow.js';
import { request2026, poll2026, v1Http } from './mcp/support/servers.js';

const DOCS = fileURLToPath(new URL('../../../docs/', import.meta.url));

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'carrel-docs-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('runnable examples', () => {
  it('getting-started: a task created on the memory store completes with the handler result', async () => {
    const done = await gettingStarted();
    expect(done.status).toBe('completed');
    expect(done.outcome).toEqual({ result: { words: 6 } });
    expect(done.progress).toEqual({ current: 6, total: 6, message: 'Counted' });
  });

  it('handler: children complete, the input request is answered, the parent completes', async () => {
    const done = await handlerExample();
    expect(done.status).toBe('completed');
    expect(done.outcome).toEqual({ result: { published: 2 } });
    expect(done.inputResponses).toEqual({ 'go-live': { ok: true } });
    // Both children's progress (1 of 1 each) rolled up into the parent.
    expect(done.progress).toMatchObject({ current: 2, total: 2 });
  });

  it('lifecycle: two failed attempts stay working, the third completes; a second cancel is TaskTerminalError', async () => {
    const { retried, cancelled, secondCancel } = await lifecycleExample();
    expect(retried.status).toBe('completed');
    expect(retried.attempt).toBe(3);
    expect(retried.lastError?.message).toBe('transient failure 2');
    expect(cancelled.status).toBe('cancelled');
    expect(secondCancel).toBeInstanceOf(TaskTerminalError);
    expect((secondCancel as TaskTerminalError).code).toBe(-32602);
  });

  it('sqlite-processes: a task created by a concurrency-0 engine is run by another engine on the same file', async () => {
    const done = await sqliteExample(tempDir());
    expect(done.status).toBe('completed');
    expect(done.outcome).toEqual({ result: 'Hello, Ada' });
  });

  it('complete-in-transaction: the summary row and the completion are committed together', async () => {
    const { done, saved } = await completeInTransactionExample(tempDir());
    expect(done.status).toBe('completed');
    expect(done.outcome).toEqual({ result: { words: 5 } });
    expect(saved).toEqual([{ task_id: done.id, text: 'one two three four five' }]);
  });

  it('operating: stop({ drainMs }) hands a running task back without spending its attempt', async () => {
    const task = await operatingExample(tempDir());
    expect(task.status).toBe('working');
    expect(task.lease).toBeNull();
    expect(task.attempt).toBe(0);
  });

  it('upgrading: a file migrated by a newer version is refused with SchemaTooNewError, named in the message', async () => {
    const path = join(tempDir(), 'tasks.db');
    const engine = await startOrExplain(path, {});
    if (typeof engine === 'string') throw new Error(engine);
    await engine.stop();
    await engine.store.close();
    const db = new Sqlite(path);
    db.prepare('INSERT INTO carrel_schema_migrations (version, applied_at) VALUES (999, 0)').run();
    db.close();
    const explained = await startOrExplain(path, {});
    expect(explained).toMatch(
      /schema version 999, but this @carrel\/tasks supports up to \d+: upgrade @carrel\/tasks \(found 999, supported \d+\)$/,
    );
  });

  it('workflow: discover, two fetch batches and apply complete, with every step’s result', async () => {
    const done = await workflowExample(tempDir());
    expect(done.status).toBe('completed');
    expect(done.outcome).toMatchObject({ result: { apply: { indexed: 4, deleted: ['old-policy'] } } });
    expect((done.outcome as { result: { fetch: unknown[][] } }).result.fetch.map((batch) => batch.length)).toEqual([2, 2]);
    expect(done.progress).toEqual({ current: 4, total: 4 });
  });

  it('workflow: a second engine resumes a stopped workflow without running discover again', async () => {
    workflowSteps.length = 0;
    const done = await workflowResume(tempDir());
    expect(done.status).toBe('completed');
    expect(done.outcome).toMatchObject({ result: { apply: { indexed: 4, deleted: [] } } });
    expect(workflowSteps.filter((step) => step === 'discover')).toHaveLength(1);
    expect(workflowSteps.filter((step) => step.endsWith('(stopped)')).length).toBeGreaterThan(0);
    expect(workflowSteps.at(-1)).toBe('apply');
  });

  it('workflow: an MCP tool’s task runs the workflow as its child and returns the tool’s result', async () => {
    const done = await workflowViaTool();
    expect(done.outcome).toEqual({ result: { content: [{ type: 'text', text: 'Indexed 4 pages' }] } });
  });

  it('knowledge-base: indexed text is found by hybrid search, with progress reported while indexing', async () => {
    const { response, progress } = await knowledgeBaseExample(tempDir());
    expect(response.mode).toBe('hybrid');
    expect(response.results[0]).toMatchObject({ library: 'handbook', title: 'Leave' });
    expect(progress.length).toBeGreaterThan(0);
  });

  it('in-process-embedder: the application embedder builds the library and its vectors find the page', async () => {
    const { response, libraries } = await inProcessEmbedderExample(tempDir());
    expect(libraries).toEqual([expect.objectContaining({ name: 'zoo', embedder: 'app:letter-counts-v1', dims: 26 })]);
    expect(response.results[0]).toMatchObject({ title: 'Zebras', vectorRank: 1 });
  });

  it('mcp-server: a 2025-11-25 client runs the tool as a task, answering its elicitation; no token is 401', async () => {
    const server = await createArchiveServer(join(tempDir(), 'tasks.db'));
    const endpoint = await serveWithTokens(server, { 'secret-a': 'alice' });
    const client = await v1Http(endpoint.url, { token: 'secret-a', elicit: () => ({ action: 'accept', content: { ok: true } }) });
    try {
      let result: Record<string, unknown> | undefined;
      for await (const message of client.experimental.tasks.callToolStream(
        { name: 'archive_folder', arguments: { folder: 'photos', files: 3 } },
        CallToolResultSchema,
        { task: {} },
      )) {
        if (message.type === 'result') result = message.result;
        if (message.type === 'error') throw message.error;
      }
      expect(result?.content).toEqual([{ type: 'text', text: 'Archived 3 files from photos' }]);
      const anonymous = await fetch(endpoint.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(anonymous.status).toBe(401);
    } finally {
      await client.close();
      await endpoint.close();
      await server.close();
      await server.engine.store.close();
    }
  });

  it('mcp-server: a 2026-07-28 client gets a flat task, reads the question in tasks/get and answers with tasks/update', async () => {
    const server = await createArchiveServer(join(tempDir(), 'tasks.db'));
    const endpoint = await serveWithTokens(server, { 'secret-b': 'bob' });
    const token = 'secret-b';
    try {
      const created = (
        await request2026(endpoint.url, 'tools/call', { name: 'archive_folder', arguments: { folder: 'docs', files: 2 } }, { token })
      ).body.result!;
      expect(created).toMatchObject({ resultType: 'task', status: 'working', ttlMs: 3_600_000, pollIntervalMs: 1_000 });
      const taskId = String(created.taskId);
      const waiting = await poll2026(endpoint.url, taskId, (t) => t.status === 'input_required', { token });
      expect(waiting.inputRequests).toMatchObject({ confirm: { method: 'elicitation/create' } });
      await request2026(
        endpoint.url,
        'tasks/update',
        { taskId, inputResponses: { confirm: { action: 'accept', content: { ok: true } } } },
        { token },
      );
      const done = await poll2026(endpoint.url, taskId, (t) => t.status === 'completed', { token });
      expect(done.result).toMatchObject({ content: [{ type: 'text', text: 'Archived 2 files from docs' }] });
    } finally {
      await endpoint.close();
      await server.close();
      await server.engine.store.close();
    }
  });
});

// --- the guides quote the examples verbatim ---

const MARKER = /^<!-- example: (examples\/[\w-]+\.ts)#([\w-]+) -->$/;

/** The lines between `//#region name` and `//#endregion`, dedented. */
function region(file: string, name: string): string {
  const lines = readFileSync(join(DOCS, file), 'utf8').split('\n');
  const start = lines.findIndex((line) => line.trim() === `//#region ${name}`);
  if (start < 0) throw new Error(`${file} has no //#region ${name}`);
  const end = lines.findIndex((line, i) => i > start && line.trim() === '//#endregion');
  const body = lines.slice(start + 1, end);
  const indent = Math.min(...body.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
  return body.map((l) => l.slice(indent)).join('\n');
}

interface Block {
  page: string;
  source: string | null;
  start: number;
  end: number;
  text: string;
}

/** Every ```ts block of a guide, with the example region named on the line before it. */
function tsBlocks(page: string, lines: string[]): Block[] {
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '```ts') continue;
    const end = lines.indexOf('```', i + 1);
    const marker = MARKER.exec(lines[i - 1] ?? '');
    blocks.push({ page, source: marker ? `${marker[1]}#${marker[2]}` : null, start: i + 1, end, text: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return blocks;
}

const pages = readdirSync(DOCS).filter((name) => name.endsWith('.md'));

describe('guides', () => {
  it('has a guide for each topic of the index', () => {
    const index = readFileSync(join(DOCS, 'README.md'), 'utf8');
    const linked = [...index.matchAll(/\]\(([\w-]+\.md)\)/g)].map((m) => m[1]);
    expect(new Set(linked)).toEqual(new Set(pages.filter((p) => p !== 'README.md')));
  });

  it.each(pages)('%s: every TypeScript block is a region of a type-checked example', (page) => {
    const path = join(DOCS, page);
    const lines = readFileSync(path, 'utf8').split('\n');
    const blocks = tsBlocks(page, lines);
    if (process.env.UPDATE_DOCS) {
      for (const block of [...blocks].reverse()) {
        if (!block.source) continue;
        const [file, name] = block.source.split('#') as [string, string];
        lines.splice(block.start, block.end - block.start, ...region(file, name).split('\n'));
      }
      writeFileSync(path, lines.join('\n'));
    }
    for (const block of tsBlocks(page, readFileSync(path, 'utf8').split('\n'))) {
      expect(
        block.source,
        `${page}:${block.start}: a \`\`\`ts block needs <!-- example: examples/<file>.ts#<region> --> on the line before`,
      ).not.toBeNull();
      const [file, name] = (block.source as string).split('#') as [string, string];
      expect(block.text, `${page}:${block.start} differs from ${block.source}; run with UPDATE_DOCS=1`).toBe(region(file, name));
    }
  });

  it.each(pages)('%s: every relative link points at an existing file', (page) => {
    const text = readFileSync(join(DOCS, page), 'utf8');
    for (const [, target] of text.matchAll(/\]\((?!https?:|#)([^)#]+)(?:#[^)]*)?\)/g)) {
      expect(existsSync(join(DOCS, target as string)), `${page} links to ${target}`).toBe(true);
    }
  });
});
