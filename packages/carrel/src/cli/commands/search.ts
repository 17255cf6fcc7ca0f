/**
 * `carrel search <query...>`: the same hybrid search the MCP `search` tool runs.
 *
 * @module
 */
import type { Command } from 'commander';
import { renderSearch } from '../../app/render.js';
import { commandContext, withKnowledgeBase } from '../context.js';
import { print } from '../output.js';
import { cliFix } from '../fix.js';
import { integer } from './parse.js';

/** Adds `search` to the program. */
export function register(program: Command): void {
  program
    .command('search')
    .description('Search the indexed documentation')
    .argument('<query...>', 'words to search for')
    .option('-l, --library <name>', 'only this library (name or name@version, as carrel libraries prints it)')
    .option('--lib-version <version>', 'only this library version')
    .option('-t, --tag <tag...>', 'only documents with all these tags')
    .option('--source <prefix>', 'only documents whose source starts with this path or URL')
    .option('--min-rating <n>', 'only documents rated at least n (1-5) on average', Number)
    .option('-n, --limit <n>', 'results to show (1-100)', integer('--limit'), 10)
    .option('--offset <n>', 'results to skip', integer('--offset'), 0)
    .action(
      async (
        words: string[],
        o: { library?: string; libVersion?: string; tag?: string[]; source?: string; minRating?: number; limit: number; offset: number },
        command: Command,
      ) => {
        const { settings, json } = commandContext(command);
        // Each command is a new session: the keyword-only note would repeat on every search, so
        // `carrel status` says it instead, with how to configure a model.
        const response = await withKnowledgeBase(settings, (kb) =>
          kb.search(
            {
              query: words.join(' '),
              limit: o.limit,
              offset: o.offset,
              ...(o.library !== undefined && { library: o.library }),
              ...(o.libVersion !== undefined && { version: o.libVersion }),
              ...(o.tag && { tags: o.tag }),
              ...(o.source !== undefined && { source: o.source }),
              ...(o.minRating !== undefined && { minRating: o.minRating }),
            },
            { noteKeywordOnly: false },
          ),
        );
        print(response, json, (r) => renderSearch(r, cliFix));
      },
    );
}
