/**
 * The real `carrel` command as a child process (TypeScript source through tsx), for the MCP and
 * CLI tests: one-shot CLI runs, `carrel mcp` behind the SDK's stdio client, `carrel serve` on
 * 127.0.0.1. Every process uses the deterministic offline embedder and the data dir it is given.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema, type ElicitRequest, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';

export const CARREL_MAIN = fileURLToPath(new URL('../../../src/main.ts', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));

/** tsx by location, so a CLI run from a folder outside the repository (`cwd`) still loads it. */
const TSX = import.meta.resolve('tsx');

/** `node … main.ts --data-dir <dir> --embedder offline <args>`. */
export function carrelArgv(dataDir: string, args: readonly string[]): string[] {
  return ['--conditions=carrel-source', '--import', TSX, CARREL_MAIN, '--data-dir', dataDir, '--embedder', 'offline', ...args];
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one CLI command to completion. */
export function runCli(
  dataDir: string,
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<CliRun> {
  return new Promise((resolve) => {
    const env = { ...cleanEnv(), ...options.env };
    execFile(process.execPath, carrelArgv(dataDir, args), { cwd: options.cwd ?? REPO_ROOT, env }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** A CLI command still running, e.g. a long `add` to interrupt. */
export function spawnCli(dataDir: string, args: readonly string[], options: { env?: Record<string, string> } = {}): ChildProcess {
  return spawn(process.execPath, carrelArgv(dataDir, args), {
    cwd: REPO_ROOT,
    env: { ...cleanEnv(), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * A v1 SDK client (protocol 2025-11-25) connected to `carrel mcp` over stdio; with `elicit`, it
 * declares form elicitation and answers the server's requests with it.
 */
export async function mcpStdio(
  dataDir: string,
  options: { allow?: string[]; env?: Record<string, string>; elicit?: (request: ElicitRequest) => Promise<ElicitResult> } = {},
): Promise<{ client: Client; transport: StdioClientTransport }> {
  const { elicit } = options;
  const client = new Client({ name: 'carrel-test', version: '1.0.0' }, elicit ? { capabilities: { elicitation: { form: {} } } } : {});
  if (elicit) client.setRequestHandler(ElicitRequestSchema, (request) => elicit(request));
  const allow = (options.allow ?? []).flatMap((dir) => ['--allow', dir]);
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: carrelArgv(dataDir, [...allow, 'mcp']),
    cwd: REPO_ROOT,
    env: { ...cleanEnv(), ...options.env },
    stderr: 'pipe',
  });
  await client.connect(transport);
  return { client, transport };
}

/** `carrel serve --port 0 <extra>` running, with its URL. */
export async function startServe(
  dataDir: string,
  extra: readonly string[] = [],
  env: Record<string, string> = {},
): Promise<{ url: string; printed: () => string; child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(process.execPath, carrelArgv(dataDir, ['--json', 'serve', '--port', '0', ...extra]), {
    cwd: REPO_ROOT,
    env: { ...cleanEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let text = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /"url":\s*"([^"]+)"/.exec(text);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`carrel serve exited (${code}): ${stderr}`)));
  });
  return {
    url,
    printed: () => text,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        // A child killed by a signal has no exit code, only the signal.
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** A v1 SDK client over Streamable HTTP. */
export async function mcpHttp(url: string, options: { token?: string } = {}): Promise<Client> {
  const client = new Client({ name: 'carrel-test', version: '1.0.0' });
  const headers: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

/**
 * Indexes a small note as a background `index_document` task over HTTP and waits for it to
 * complete; returns its id (throws if it ends otherwise).
 */
export async function indexOverHttp(url: string, token?: string): Promise<string> {
  type ToolResult = { structuredContent?: Record<string, unknown> };
  const client = await mcpHttp(url, token === undefined ? {} : { token });
  try {
    const started = (await client.callTool({
      name: 'index_document',
      arguments: { library: 'notes', title: 'Zebras', content: '# Zebras\n\nZebras have stripes.\n', async: true },
    })) as ToolResult;
    const taskId = started.structuredContent!.taskId as string;
    let status: string;
    do {
      const got = (await client.callTool({ name: 'get_task', arguments: { taskId } })) as ToolResult;
      status = (got.structuredContent!.task as { status: string }).status;
    } while (status === 'working');
    if (status !== 'completed') throw new Error(`index_document task ${taskId} ended ${status}`);
    return taskId;
  } finally {
    await client.close();
  }
}

/** Lines of a child's stdout as they arrive. */
export function lines(child: ChildProcess, onLine: (line: string) => void): void {
  createInterface({ input: child.stdout! }).on('line', onLine);
}

// Sections longer than the chunker's minimum, so each becomes its own chunk.
const filler = (topic: string) => `This paragraph talks about ${topic} at some length so that the section is a real one. `.repeat(8);

/** A small markdown guide about installing and searching. */
export const GUIDE = `# Guide\n\n## Install\n\nRun npm install carrel to install the package.\n\n${filler('setup')}\n\n## Search\n\nCall search with a query string and filters.\n\n${filler('queries')}\n`;

/** Writes `count` markdown files of `sections` sections each into `dir`; returns `dir`. */
export function writeCorpus(dir: string, count: number, sections = 20): string {
  mkdirSync(dir, { recursive: true });
  for (let f = 0; f < count; f++) {
    const body = Array.from({ length: sections }, (_, i) => `## Part ${i}\n\n${filler(`topic ${i} of file ${f}`)}`).join('\n\n');
    writeFileSync(join(dir, `file-${String(f).padStart(4, '0')}.md`), `# File ${f}\n\n${body}\n`);
  }
  return dir;
}

export function cleanEnv(): Record<string, string> {
  const env = { ...(process.env as Record<string, string>) };
  for (const key of Object.keys(env)) if (key.startsWith('CARREL_')) delete env[key];
  return env;
}
