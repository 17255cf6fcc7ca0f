/**
 * `carrel connectors add|list|show|remove` and `carrel sync` as a person runs them: a git
 * repository added with a token from an environment variable (masked in every listing), synced
 * as a task, shown with its cursor; bad options named with the documented exit codes.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GitRepo } from '../support/git-repo.js';
import { tempDir } from '../support/temp-dir.js';
import { runCli } from '../mcp/support/carrel-process.js';

describe('carrel connectors and carrel sync', { timeout: 120_000 }, () => {
  it('adds, lists, syncs, shows and removes a git connector', async () => {
    const root = tempDir();
    const repo = new GitRepo(root).write({ 'docs/a.md': '# A\n\nAlpha.\n', 'docs/b.md': '# B\n\nBeta.\n', 'main.c': 'int x;\n' });
    const head = repo.commit('docs');
    const dataDir = tempDir();
    const cli = (args: string[], env?: Record<string, string>) => runCli(dataDir, ['--allow', root, ...args], { ...(env && { env }) });

    const added = await cli([
      'connectors',
      'add',
      'proj',
      '--kind',
      'git',
      '--repository',
      root,
      '--library',
      'proj@1',
      '--include',
      'docs/**',
    ]);
    expect(added.stderr).toBe('');
    expect(added.stdout).toBe(`Added connector proj (git ${root}) → proj@1: 0 documents, never synced\nSync it with: carrel sync proj\n`);

    const synced = await cli(['sync', 'proj']);
    expect(synced.code).toBe(0);
    expect(synced.stdout).toBe('connector proj → proj@1: 2 created; 2 chunks\n');
    const shown = await cli(['--json', 'connectors', 'show', 'proj']);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      name: 'proj',
      cursor: head,
      documents: 2,
      lastOutcome: 'synced: 2 created, 0 updated, 0 unchanged, 0 deleted, 0 failed',
    });

    repo.remove('docs/b.md');
    repo.commit('drop b');
    expect((await cli(['sync', 'proj'])).stdout).toBe('connector proj → proj@1: 1 deleted; 0 chunks\n');

    const removed = await cli(['connectors', 'remove', 'proj', '--delete-documents']);
    expect(removed.stdout).toBe('Removed connector proj; 1 documents deleted\n');
    expect((await cli(['connectors', 'list'])).stdout).toBe('No connectors yet: add one with carrel connectors add.\n');
  });

  it('takes a token from an environment variable only, and masks it', async () => {
    const dataDir = tempDir();
    const token = 'ghp_abcdefghijklmnop1234';
    const add = ['connectors', 'add', 'remote', '--kind', 'git', '--repository', 'https://example.com/org/repo.git', '--library', 'r'];
    const unset = await runCli(dataDir, [...add, '--token-env', 'CARREL_TEST_TOKEN']);
    expect(unset.code).toBe(2);
    expect(unset.stderr).toBe('carrel: --token-env CARREL_TEST_TOKEN: the environment variable CARREL_TEST_TOKEN is not set\n');
    const added = await runCli(dataDir, [...add, '--token-env', 'CARREL_TEST_TOKEN'], { env: { CARREL_TEST_TOKEN: token } });
    expect(added.code).toBe(0);
    const listed = await runCli(dataDir, ['--json', 'connectors', 'list']);
    expect(JSON.parse(listed.stdout)).toMatchObject({ connectors: [{ name: 'remote', secret: '****1234' }] });
    expect(added.stdout + listed.stdout).not.toContain(token);
  });

  it('names bad options and exits with the documented codes', async () => {
    const dataDir = tempDir();
    const outside = tempDir();
    const cases: [string[], number, RegExp][] = [
      [
        ['connectors', 'add', 'x', '--kind', 'git', '--repository', 'ext::sh -c id', '--library', 'l'],
        2,
        /^carrel: Invalid options\.repository: .*ext:: transport is never allowed\)\n$/,
      ],
      [
        ['connectors', 'add', 'x', '--kind', 'directory', '--path', outside, '--library', 'l'],
        4,
        /^carrel: Path .* is outside the allowed roots .*; allow its folder with --allow/,
      ],
      [
        ['connectors', 'add', 'x', '--kind', 'svn', '--library', 'l'],
        2,
        /^carrel: Invalid kind: expected one of directory, git, github, web\n$/,
      ],
      [
        ['connectors', 'add', 'x', '--kind', 'git', '--library', 'l'],
        2,
        /^carrel: Invalid options\.repository: expected an https:\/\/ or ssh:\/\/ clone URL/,
      ],
      [['connectors', 'show', 'nope'], 3, /^carrel: Connector not found: nope; carrel connectors list lists them\n$/],
      [
        ['sync', 'nope'],
        3,
        /^Task \S+ started; Ctrl-C cancels it\.\ncarrel: Connector not found: nope; carrel connectors list lists them\n$/,
      ],
    ];
    for (const [args, code, message] of cases) {
      const run = await runCli(dataDir, ['--allow', join(dataDir, 'none'), ...args]);
      expect(run.stderr, args.join(' ')).toMatch(message);
      expect(run.code, args.join(' ')).toBe(code);
    }
  });

  it('adds and syncs a web site on a private address only with --allow-private-addresses and --private-network', async () => {
    const page = (title: string, body: string) =>
      `<html><head><title>${title}</title></head><body><main><h1>${title}</h1><p>${body} ${'A paragraph long enough to be a chunk of its own. '.repeat(4)}</p></main></body></html>`;
    const pages: Record<string, string> = {
      '/': page('Home', 'See <a href="/setup">setup</a>.'),
      '/setup': page('Setup', 'Install the quokka package.'),
    };
    const server = createServer((req, res) => {
      const body = pages[req.url ?? ''];
      if (body === undefined) res.writeHead(404).end();
      else res.writeHead(200, { 'content-type': 'text/html' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const dataDir = tempDir();
      const cli = (args: string[]) => runCli(dataDir, args);
      const add = ['connectors', 'add', 'site', '--kind', 'web', '--url', url, '--delay', '0', '--library', 'site'];

      expect((await cli([...add, '--max-pages', '0'])).stderr).toMatch(/maxPages/);
      expect((await cli([...add, '--private-network'])).code).toBe(0);
      const refused = await cli(['sync', 'site']);
      expect(refused.code).toBe(4);
      expect(refused.stderr).toMatch(/non-public address 127\.0\.0\.1; run carrel with --allow-private-addresses/);

      const synced = await cli(['--allow-private-addresses', 'sync', 'site']);
      expect(synced.code).toBe(0);
      expect(synced.stdout).toBe('connector site → site: 2 created; 2 chunks\n');
      const found = await cli(['--json', 'search', 'quokka package', '--library', 'site']);
      expect(JSON.parse(found.stdout).results[0].source).toBe(`${url}setup`);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
