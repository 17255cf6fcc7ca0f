/**
 * `carrel add <path|url>`: index a file, a folder or a web page, as a durable task with a progress
 * bar; Ctrl-C cancels it. A path given here is allowed even outside the configured roots: the
 * person typing it is the one who decides what to index (see `add-handler.ts`).
 *
 * @module
 */
import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import type { IngestResult } from '../../ingest/jobs.js';
import { summarizeIngest } from '../../app/render.js';
import { ADD_HANDLER } from '../../app/add-handler.js';
import { commandContext, withRuntime } from '../context.js';
import { print } from '../output.js';
import { cliFix } from '../fix.js';
import { runToolTask } from '../run-task.js';

/** Adds `add` to the program. */
export function register(program: Command): void {
  program
    .command('add')
    .description('Index a file, folder or URL into a library')
    .argument('<path-or-url>', 'a local file or folder, or an http(s) URL')
    .option('-l, --library <name>', 'library name, or name@version (default: the folder or host name)')
    .option('--lib-version <version>', 'library version')
    .option('-t, --tag <tag...>', 'tags for the documents')
    .option('--title <title>', 'title for a URL (default: the page title)')
    .option('--include <glob>', 'in a folder: only files matching this glob, relative to the folder (repeatable)', collect)
    .option('--exclude <glob>', 'in a folder: leave out files and folders matching this glob (repeatable)', collect)
    .option('--keep-all-pages', 'store index, search and 404 pages, source copies and tables of contents as content too')
    .action(
      async (
        target: string,
        options: {
          library?: string;
          libVersion?: string;
          tag?: string[];
          title?: string;
          include?: string[];
          exclude?: string[];
          keepAllPages?: boolean;
        },
        command: Command,
      ) => {
        const context = commandContext(command);
        const url = /^https?:\/\//i.test(target);
        const library = options.library ?? defaultLibrary(target, url);
        const args = {
          library,
          ...(options.libVersion !== undefined && { version: options.libVersion }),
          ...(options.tag && { tags: options.tag }),
          ...(options.include && { include: options.include }),
          ...(options.exclude && { exclude: options.exclude }),
          ...(options.keepAllPages && { keepAllPages: true }),
          ...(url ? { url: target, ...(options.title !== undefined && { title: options.title }) } : { path: resolve(target) }),
        };
        const result = await withRuntime(context.settings, { runs: 'assigned' }, (runtime) =>
          runToolTask(runtime, 'index_document', args, { ...context, handler: ADD_HANDLER }),
        );
        print(result.structuredContent as unknown as IngestResult, context.json, (r) => summarizeIngest(r, cliFix));
      },
    );
}

/** Commander's way to repeat an option: each `--include <glob>` adds one. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function defaultLibrary(target: string, url: boolean): string {
  if (url) return new URL(target).hostname;
  return basename(resolve(target)).replace(/\.[^.]+$/, '') || 'default';
}
