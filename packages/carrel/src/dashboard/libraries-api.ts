/**
 * `/dashboard/api/libraries`, `documents` and `search`: the knowledge base, read-only. The search
 * answers exactly what the `search` tool's structured result holds.
 *
 * @module
 */
import { Hono } from 'hono';
import type { KnowledgeBaseHandle } from '../app/knowledge-base-handle.js';
import { ApiError } from './api-error.js';
import type { DashboardEnv } from './guard.js';

/** The knowledge-base routes. */
export function librariesApi(kb: KnowledgeBaseHandle): Hono<DashboardEnv> {
  return new Hono<DashboardEnv>()
    .get('/libraries', async (c) => {
      const libraries = await (await kb.get()).libraryStatus();
      return c.json({
        libraries: libraries.map((l) => ({
          name: l.name,
          version: l.version,
          documents: l.documents,
          chunks: l.chunks,
          embedder: l.embedder,
          dims: l.dims,
          vectorCoverage: l.chunks === 0 ? 0 : (l.chunks - l.chunksWithoutVectors) / l.chunks,
          pending: l.chunksWithoutVectors,
        })),
      });
    })
    .get('/libraries/:name/documents', async (c) => {
      const limit = integerParam(c.req.query('limit'), 'limit', 50, 1, 500);
      const offset = cursorOffset(c.req.query('cursor'));
      const version = c.req.query('version');
      const page = await (
        await kb.get()
      ).listDocuments({ library: c.req.param('name'), ...(version !== undefined && version !== '' && { version }), limit, offset });
      return c.json({
        documents: page.documents.map((d) => ({ id: d.id, title: d.title, source: d.source, kind: d.kind, chunks: d.chunkCount })),
        ...(page.hasMore && { nextCursor: Buffer.from(String(offset + limit)).toString('base64url') }),
      });
    })
    .get('/documents/:id', async (c) => {
      const id = integerParam(c.req.param('id'), 'document id', undefined, 1, Number.MAX_SAFE_INTEGER);
      const { document, chunks } = await (await kb.get()).documentChunks(id);
      return c.json({
        document: {
          id: document.id,
          library: document.library,
          version: document.version,
          title: document.title,
          source: document.source,
          kind: document.kind,
          chunks: chunks.map((chunk) => ({ ord: chunk.ord, heading: chunk.heading, text: chunk.text })),
        },
      });
    })
    .get('/search', async (c) => {
      const library = c.req.query('library') || undefined;
      const version = c.req.query('version') || undefined;
      const response = await (
        await kb.get()
      ).search({
        query: c.req.query('q') ?? '',
        limit: integerParam(c.req.query('limit'), 'limit', 10, 1, 100),
        ...(library !== undefined && { library }),
        ...(version !== undefined && { version }),
      });
      return c.json(response);
    });
}

/** A whole number parameter in [min, max], its default when absent; else 400 naming it. */
function integerParam(value: string | undefined, name: string, fallback: number | undefined, min: number, max: number): number {
  if ((value === undefined || value === '') && fallback !== undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ApiError(400, 'bad_request', `${name} must be a whole number from ${min} to ${max}.`);
  return n;
}

/** A documents cursor is the next offset, opaque to the page. */
function cursorOffset(cursor: string | undefined): number {
  if (cursor === undefined || cursor === '') return 0;
  const offset = Number(Buffer.from(cursor, 'base64url').toString());
  if (!Number.isInteger(offset) || offset < 0) throw new ApiError(400, 'bad_request', 'That cursor is not one this server gave.');
  return offset;
}
