/**
 * `carrel status`: data dir, search mode (and why semantic search is off, if it is), counts.
 *
 * @module
 */
import type { Command } from 'commander';
import { renderStatus } from '../../app/render.js';
import { commandContext, withKnowledgeBase } from '../context.js';
import { print } from '../output.js';
import { cliFix } from '../fix.js';

/** Adds `status` to the program. */
export function register(program: Command): void {
  program
    .command('status')
    .description('Show where data lives, the search mode and library counts')
    .action(async (_o: unknown, command: Command) => {
      const { settings, json } = commandContext(command);
      print(await withKnowledgeBase(settings, (kb) => kb.status()), json, (s) => renderStatus(s, cliFix));
    });
}
