/**
 * `index_document` with `include`/`exclude` globs and `keepAllPages`, through `carrel mcp` and the
 * official SDK client: globs relative to the folder narrow what is indexed; bad globs (empty, too
 * many, too long, NUL, extglob, with a single file) are tool errors naming the argument, with
 * nothing stored; skipped pages are counted by kind in the result.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp-dir.js';
import { mcpStdio } from './support/carrel-process.js';

const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

const call = async (client: Client, args: Record<string, unknown>) =>
  (await client.callTool({ name: 'index_document', arguments: args })) as {
    content: { type: string; text: string }[];
    structuredContent?: Record<string, unknown>;
    isError?: boolean;
  };

function docsFolder(): string {
  const docs = tempDir();
  for (const dir of ['guide', 'api']) mkdirSync(join(docs, dir));
  for (const name of ['guide/a', 'guide/b', 'api/c']) writeFileSync(join(docs, `${name}.md`), `# ${name}\n\nText about ${name}.\n`);
  writeFileSync(join(docs, 'search.html'), '<html><body><h1>Search</h1><div id="search-results"></div></body></html>');
  return docs;
}

describe('index_document include/exclude over MCP', { timeout: 120_000 }, () => {
  it('indexes only what the globs pick, and counts skipped pages by kind', async () => {
    const docs = docsFolder();
    const { client } = await mcpStdio(tempDir(), { allow: [docs] });
    clients.push(client);
    const indexed = await call(client, { library: 'f', path: docs, include: ['guide/**', '*.html'], exclude: ['guide/b.md'] });
    expect(indexed.isError).toBeFalsy();
    expect(indexed.structuredContent).toMatchObject({ created: 1, skipped: 1, pages: { search: 1 } });
    expect(indexed.content[0]!.text).toBe('f: 1 created, 1 skipped (1 search page); 1 chunks');
    const kept = await call(client, { library: 'g', path: docs, include: ['*.html'], keepAllPages: true });
    expect(kept.structuredContent).toMatchObject({ created: 1, skipped: 0 });
  });

  it('answers bad globs with a tool error naming the argument, and stores nothing', async () => {
    const docs = docsFolder();
    const { client } = await mcpStdio(tempDir(), { allow: [docs] });
    clients.push(client);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ include: [''] }, /^Invalid arguments for tool index_document: include\.0: /],
      [{ exclude: ['x'.repeat(1001)] }, /^Invalid arguments for tool index_document: exclude\.0: /],
      [{ include: Array.from({ length: 101 }, () => '*.md') }, /^Invalid arguments for tool index_document: include: /],
      [{ include: ['a\0b'] }, /^Invalid arguments for tool index_document: include\.0: contains a NUL character/],
      [{ exclude: ['+(a|b)'] }, /^Invalid exclude: expected a glob without extglobs/],
      [{ path: join(docs, 'api', 'c.md'), include: ['*.md'] }, /^Invalid include: expected a folder path to pick files in/],
    ];
    for (const [args, message] of cases) {
      const answer = await call(client, { library: 'f', path: docs, ...args });
      expect(answer.isError, JSON.stringify(args).slice(0, 80)).toBe(true);
      expect(answer.content[0]!.text).toMatch(message);
    }
    const libraries = await client.callTool({ name: 'list_libraries', arguments: {} });
    expect(libraries.structuredContent).toEqual({ libraries: [] });
  });
});
