/**
 * `carrel pack create|install|list|remove`: knowledge packs (docs/knowledge-packs.md). `install`
 * runs the `install_pack` tool as a durable task with a progress bar (Ctrl-C cancels it, and the
 * same command run again continues a killed one); the others are quick reads and writes.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Command } from 'commander';
import { summarizeIngest } from '../../app/render.js';
import { libraryLabel } from '../../fix.js';
import { trimTrailing } from '../../trim-trailing.js';
import type { IngestResult } from '../../ingest/jobs.js';
import { commandContext, withKnowledgeBase, withRuntime } from '../context.js';
import { cliFix } from '../fix.js';
import { notice, print } from '../output.js';
import { runToolTask } from '../run-task.js';

/** Adds `pack` and its subcommands to the program. */
export function register(program: Command): void {
  const pack = program.command('pack').description('Create, install, list and remove knowledge packs');

  pack
    .command('create')
    .description('Build a pack from a library (its documents’ text, titles, sources and tags)')
    .argument('<library>', 'library name, or name@version')
    .option('-o, --out <file>', 'write it here (gzipped if the name ends in .gz; default: stdout)')
    .option('--with-vectors', 'include the chunks’ vectors, used by installs with the same embedder and chunking')
    .option('--name <name>', 'pack name (default: the library name)')
    .option('--pack-version <version>', 'pack version (default: the library version, or 1.0.0)')
    .option('--license <licence>', 'the content’s licence, e.g. an SPDX id', 'NOASSERTION')
    .option('--description <text>', 'what the pack holds')
    .action(
      async (
        library: string,
        options: { out?: string; withVectors?: boolean; name?: string; packVersion?: string; license: string; description?: string },
        command: Command,
      ) => {
        const { settings } = commandContext(command);
        const made = await withKnowledgeBase(settings, (kb) =>
          kb.createPack(
            { library },
            {
              name: options.name ?? library.split('@')[0]!.replace(/[^A-Za-z0-9._-]/g, '-'),
              version: options.packVersion ?? (library.split('@')[1] || '1.0.0'),
              license: options.license,
              ...(options.description !== undefined && { description: options.description }),
              ...(options.withVectors && { withVectors: true }),
            },
          ),
        );
        const json = Buffer.from(JSON.stringify(made));
        if (options.out === undefined) return void process.stdout.write(json);
        const bytes = options.out.endsWith('.gz') ? gzipSync(json) : json;
        writeFileSync(options.out, bytes);
        notice(
          `Wrote pack ${made.name}@${made.version} (${made.documents.length} documents${made.embedding ? ', with vectors' : ''}) to ${options.out}; sha256 ${createHash('sha256').update(bytes).digest('hex')}`,
        );
      },
    );

  pack
    .command('install')
    .description('Install a pack into a library, or upgrade it to a new version')
    .argument('<pack>', 'a pack file or http(s) URL; with --registry, a pack name (name@version for one version)')
    .option('-l, --library <name>', 'library name, or name@version (default: the pack’s file or registry name)')
    .option('--registry <index>', 'a registry index (index.json) as a URL or a path')
    .option('--sha256 <hex>', 'the pack file’s expected sha256 (a registry names its own)')
    .option('-t, --tag <tag...>', 'tags added to every document of the pack')
    .action(async (given: string, options: { library?: string; registry?: string; sha256?: string; tag?: string[] }, command: Command) => {
      const context = commandContext(command);
      const [name, packVersion] = given.split('@') as [string, string | undefined];
      const source =
        options.registry !== undefined
          ? { registry: options.registry, name, ...(packVersion && { packVersion }) }
          : /^https?:\/\//i.test(given)
            ? { url: given }
            : { path: given };
      const args = {
        library: options.library ?? defaultLibrary(options.registry !== undefined ? name : given),
        ...source,
        ...(options.sha256 !== undefined && { sha256: options.sha256 }),
        ...(options.tag && { tags: options.tag }),
      };
      const result = await withRuntime(context.settings, { runs: 'assigned' }, (runtime) =>
        runToolTask(runtime, 'install_pack', args, context),
      );
      print(result.structuredContent as unknown as IngestResult, context.json, (r) => summarizeIngest(r, cliFix));
    });

  pack
    .command('list')
    .description('List installed packs')
    .argument('[library]', 'only this library (name or name@version)')
    .action(async (library: string | undefined, _o: unknown, command: Command) => {
      const { settings, json } = commandContext(command);
      const packs = await withKnowledgeBase(settings, (kb) => kb.listPacks(library === undefined ? {} : { library }));
      print({ packs }, json, ({ packs: list }) =>
        list.length === 0
          ? 'No packs installed: install one with carrel pack install <file|url>.'
          : list
              .map(
                (p) =>
                  `${p.name}@${p.version}  in ${libraryLabel(p.library, p.libraryVersion)}, ${p.documents} documents, sha256 ${p.sha256}`,
              )
              .join('\n'),
      );
    });

  pack
    .command('remove')
    .description('Remove a pack from a library: its documents and its record')
    .argument('<name>', 'the pack, as carrel pack list names it')
    .requiredOption('-l, --library <name>', 'library name, or name@version')
    .action(async (name: string, options: { library: string }, command: Command) => {
      const { settings, json } = commandContext(command);
      const removed = await withKnowledgeBase(settings, (kb) => kb.removePack(name, { library: options.library }));
      print({ name, ...removed }, json, (r) => `Removed pack ${name} from ${options.library}: ${r.removed} documents`);
    });
}

/** A library name from a pack's file name, URL or registry name: `guide-1.2.json.gz` → `guide-1.2`. */
function defaultLibrary(given: string): string {
  const last = basename(trimTrailing(given.split(/[?#]/, 1)[0]!, '/'));
  return last.replace(/(\.json)?(\.gz)?$/, '') || 'default';
}
