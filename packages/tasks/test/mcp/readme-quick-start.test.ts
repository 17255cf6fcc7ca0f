/**
 * The README's quick start, kept compiling and working: the same tool declaration (with stand-ins
 * for the image functions), served over HTTP and called as a task by the v1 client.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTaskServer, defineTool } from '@carrel/tasks/mcp';
import { serveHttp } from '@carrel/tasks/mcp/http';
import { SqliteTaskStore } from '@carrel/tasks/sqlite';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { expect, it } from 'vitest';
import { z } from 'zod';
import { v1Http } from './support/servers.js';

const listImages = async (folder: string) => [`${folder}/a.png`, `${folder}/b.png`];
const resizeOne = async (_file: string) => {};

it('runs the README quick-start tool as a task', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'carrel-readme-'));
  // --- as in the README ---
  const resize = defineTool({
    name: 'resize_images',
    inputSchema: z.object({ folder: z.string() }),
    taskMode: 'optional', // 'never' | 'optional' | 'required'
    async run({ folder }, ctx) {
      const files = await listImages(folder);
      for (const [i, file] of files.entries()) {
        ctx.signal.throwIfAborted(); // cancelled, expired or shutting down
        await resizeOne(file);
        await ctx.progress(i + 1, files.length, `Resized ${file}`);
      }
      return { content: [{ type: 'text', text: `Resized ${files.length} images` }] };
    },
  });
  const server = await createTaskServer({
    name: 'images',
    version: '1.0.0',
    store: new SqliteTaskStore({ path: join(dir, 'tasks.db') }),
    tools: [resize],
  });
  // --- end ---
  const endpoint = await serveHttp(server);
  const client = await v1Http(endpoint.url);
  try {
    let result: Record<string, unknown> | undefined;
    for await (const message of client.experimental.tasks.callToolStream(
      { name: 'resize_images', arguments: { folder: 'photos' } },
      CallToolResultSchema,
      { task: {} },
    )) {
      if (message.type === 'result') result = message.result;
    }
    expect(result?.content).toEqual([{ type: 'text', text: 'Resized 2 images' }]);
  } finally {
    await client.close();
    await endpoint.close();
    await server.close();
    await server.engine.store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
