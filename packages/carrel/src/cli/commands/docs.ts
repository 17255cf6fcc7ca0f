/**
 * `carrel docs list|show|rm`: the stored documents.
 *
 * @module
 */
import type { Command } from 'commander';
import { commandContext, withKnowledgeBase } from '../context.js';
import { renderLinks } from '../../app/render.js';
import { libraryLabel } from '../../fix.js';
import { print } from '../output.js';
import { integer } from './parse.js';

/** The options of `docs list`. */
interface ListOptions {
  library?: string;
  libVersion?: string;
  source?: string;
  title?: string;
  limit: number;
  offset: number;
}

/** Adds `docs` and its subcommands to the program. */
export function register(program: Command): void {
  const docs = program.command('docs').description('List, read and remove stored documents');
  docs
    .command('list')
    .description('List documents')
    .option('-l, --library <name>', 'only this library (name or name@version, as carrel libraries prints it)')
    .option('--lib-version <version>', 'only this library version')
    .option('--source <prefix>', 'only documents whose source starts with this path or URL')
    .option('--title <text>', 'only documents whose title contains this text, in any case')
    .option('-n, --limit <n>', 'documents to show', integer('--limit'), 50)
    .option('--offset <n>', 'documents to skip', integer('--offset'), 0)
    .action(async (o: ListOptions, command: Command) => {
      const { settings, json } = commandContext(command);
      const page = await withKnowledgeBase(settings, (kb) =>
        kb.listDocuments({
          limit: o.limit,
          offset: o.offset,
          ...(o.library !== undefined && { library: o.library }),
          ...(o.libVersion !== undefined && { version: o.libVersion }),
          ...(o.source !== undefined && { source: o.source }),
          ...(o.title !== undefined && { title: o.title }),
        }),
      );
      print({ ...page, offset: o.offset }, json, (p) => {
        if (p.documents.length === 0) return o.offset > 0 ? `No documents after the first ${o.offset}.` : 'No documents.';
        const rows = p.documents.map(
          (d) => `${String(d.id).padStart(5)}  ${d.title}  (${libraryLabel(d.library, d.version)}, ${d.source})`,
        );
        // A page that stops at --limit says so, and how to see the rest, rather than look like everything.
        const next = o.offset + p.documents.length;
        if (p.hasMore) rows.push(`Showing ${o.offset + 1}-${next}; more with --offset ${next} (or a larger --limit, --source, --title).`);
        return rows.join('\n');
      });
    });
  docs
    .command('show')
    .description("Print a document's text")
    .argument('<id>', 'document id', integer('<id>'))
    .option('--offset <n>', 'character to start at', integer('--offset'), 0)
    .option('--max-chars <n>', 'characters to print', integer('--max-chars'), 1_000_000)
    .option('--links', "also list the targets of the document's links after its text (HTML documents)")
    .action(async (id: number, o: { offset: number; maxChars: number; links?: boolean }, command: Command) => {
      const { settings, json } = commandContext(command);
      const page = await withKnowledgeBase(settings, (kb) =>
        kb.getDocument(id, { offset: o.offset, maxChars: o.maxChars, links: o.links ?? false }),
      );
      print(page, json, (p) => `# ${p.title}\n(${p.source})\n\n${p.content}${p.links ? `\n\n${renderLinks(p.links)}` : ''}`);
    });
  docs
    .command('rm')
    .description('Remove a document and its chunks')
    .argument('<id>', 'document id', integer('<id>'))
    .action(async (id: number, _o: unknown, command: Command) => {
      const { settings, json } = commandContext(command);
      await withKnowledgeBase(settings, (kb) => kb.deleteDocument(id));
      print({ deleted: id }, json, () => `Removed document ${id}.`);
    });
}
