/**
 * `index_document`: add a URL, a local file or folder, or inline content to a library. Slow, so
 * task-capable: it runs as a durable task (progress = chunks embedded / total), honours cancel
 * between batches, and takes `async: true` for clients that do not speak tasks.
 *
 * @module
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { defineTool, type ToolDefinition } from '@carrel/tasks/mcp';
import { z } from 'zod';
import { InvalidInputError } from '../../errors.js';
import { libraryLabel } from '../../fix.js';
import { MAX_GLOB_CHARS, MAX_GLOBS } from '../../sources/directory-source.js';
import type { KnowledgeBaseHandle } from '../knowledge-base-handle.js';
import { WRITE_SCOPE } from '../scopes.js';
import { writeAnswer } from './tool-result.js';
import { TARGET_SHAPE } from './target.js';

const schema = z
  .object({
    ...TARGET_SHAPE,
    url: z.string().min(1).max(4096).optional().describe('An http(s) URL to fetch and index.'),
    path: z.string().min(1).max(4096).optional().describe('A local file or folder (inside the allowed roots) to index.'),
    content: z.string().optional().describe('Markdown, text or HTML to index as given; needs a title.'),
    title: z.string().min(1).max(500).optional().describe('Document title (required with content; overrides the fetched title of a URL).'),
    format: z.enum(['markdown', 'text', 'html']).optional().describe('Format of content (default markdown).'),
    include: z
      .array(z.string().min(1).max(MAX_GLOB_CHARS))
      .max(MAX_GLOBS)
      .optional()
      .describe('With a folder path: only files matching one of these globs, relative to the folder (e.g. "guide/**/*.md").'),
    exclude: z
      .array(z.string().min(1).max(MAX_GLOB_CHARS))
      .max(MAX_GLOBS)
      .optional()
      .describe('With a folder path: leave out files and folders matching these globs, relative to the folder (e.g. "**/changelog/**").'),
    keepAllPages: z
      .boolean()
      .optional()
      .describe(
        'Store every page as content. By default general/module indexes, search and 404 pages and source copies of built pages are skipped, and tables of contents rank lower.',
      ),
  })
  .refine((a) => [a.url, a.path, a.content].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of url, path or content',
  })
  .refine((a) => a.content === undefined || a.title !== undefined, { message: 'content needs a title', path: ['title'] });

/** The `index_document` tool over `kb`. */
export function indexDocumentTool(kb: KnowledgeBaseHandle): ToolDefinition<z.infer<typeof schema>> {
  return defineTool({
    name: 'index_document',
    title: 'Index a document',
    description:
      'Add documentation to a library from a URL, a local file or folder, or inline content. Re-indexing an unchanged source is a no-op; a changed one replaces its old version.',
    inputSchema: schema,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    taskMode: 'optional',
    requiredScopes: [WRITE_SCOPE],
    about: (args) =>
      `${libraryLabel(args.library, args.version ?? '')}: ${args.url ?? args.path ?? `content "${args.title ?? 'untitled'}"`}`,
    run: (args, ctx) =>
      writeAnswer(ctx, kb, async (base, run) => {
        const target = {
          library: args.library,
          ...(args.version !== undefined && { version: args.version }),
          ...(args.tags && { tags: args.tags }),
          ...(args.keepAllPages !== undefined && { keepAllPages: args.keepAllPages }),
        };
        const isFolder =
          args.path !== undefined &&
          (await stat(resolve(args.path)).then(
            (s) => s.isDirectory(),
            () => false,
          ));
        if ((args.include || args.exclude) && !isFolder)
          throw new InvalidInputError(args.include ? 'include' : 'exclude', 'a folder path to pick files in');
        if (args.url !== undefined) return base.ingestUrl(args.url, { ...target, ...(args.title && { title: args.title }) }, run);
        if (args.path !== undefined) {
          if (!isFolder) return base.ingestFile(args.path, target, run);
          return base.ingestDirectory(
            args.path,
            { ...target, ...(args.include && { include: args.include }), ...(args.exclude && { exclude: args.exclude }) },
            run,
          );
        }
        return base.ingestContent(
          {
            ...target,
            content: args.content!,
            title: args.title!,
            source: `raw:${args.title!}`,
            ...(args.format && { format: args.format }),
          },
          run,
        );
      }),
  });
}
