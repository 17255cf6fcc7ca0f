/**
 * `carrel libraries`: the libraries with their counts and embedders.
 *
 * @module
 */
import type { Command } from 'commander';
import { commandContext, withKnowledgeBase } from '../context.js';
import { print } from '../output.js';

/** Adds `libraries` to the program. */
export function register(program: Command): void {
  program
    .command('libraries')
    .description('List libraries')
    .action(async (_o: unknown, command: Command) => {
      const { settings, json } = commandContext(command);
      const libraries = await withKnowledgeBase(settings, (kb) => kb.status()).then((s) => s.libraries);
      print({ libraries }, json, ({ libraries: list }) =>
        list.length === 0
          ? 'No libraries yet: add documents with carrel add <path|url>.'
          : list
              .map(
                (l) =>
                  `${l.version ? `${l.name}@${l.version}` : l.name}  ${l.documents} documents, ${l.chunks} chunks${l.embedder ? `, ${l.embedder}` : ''}`,
              )
              .join('\n'),
      );
    });
}
