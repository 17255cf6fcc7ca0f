/**
 * `carrel connectors add|list|show|schedule|set-token|remove`: configure the sources `carrel sync`
 * keeps a library in step with, and the cron schedule a carrel server syncs them on. A token is
 * read from an environment variable (`--token-env`), never from the command
 * line (which other users and the shell history can read), and listings show it masked.
 *
 * @module
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { ConnectorView } from '../../connectors/configs.js';
import { localOrUrl } from '../../connectors/local-paths.js';
import { checkSchedule } from '../../connectors/schedule.js';
import { renderConnector } from '../../app/render.js';
import { commandContext, withKnowledgeBase } from '../context.js';
import { CliError, ExitCode } from '../errors.js';
import { print } from '../output.js';
import { integer } from './parse.js';

interface AddOptions {
  kind: string;
  library: string;
  libVersion?: string;
  path?: string;
  repository?: string;
  branch?: string;
  ref?: string;
  apiUrl?: string;
  url?: string;
  pathPrefix?: string;
  maxPages?: number;
  maxDepth?: number;
  delay?: number;
  privateNetwork?: boolean;
  include?: string[];
  exclude?: string[];
  tokenEnv?: string;
  schedule?: string;
  timezone?: string;
}

/** The schedule flags' names in errors. */
const SCHEDULE_FLAGS = { schedule: '--schedule', timezone: '--timezone' };

/** Adds `connectors` to the program. */
export function register(program: Command): void {
  const connectors = program.command('connectors').description('Configure sources that carrel sync keeps a library in step with');

  connectors
    .command('add')
    .description(
      'Add a connector: a folder (--kind directory --path), a git repository (--kind git --repository), a web site (--kind web --url) or a GitHub repository (--kind github --repository owner/name --token-env VAR)',
    )
    .argument('<name>', 'a name of your choice (letters, digits, . _ -)')
    .requiredOption('-k, --kind <kind>', 'directory, git, web or github')
    .requiredOption('-l, --library <name>', 'library to fill, or name@version')
    .option('--lib-version <version>', 'library version')
    .option('--path <dir>', 'directory: the folder (inside the allowed roots)')
    .option(
      '--repository <url|dir|owner/name>',
      'git: an https:// or ssh:// clone URL, or a local repository inside the allowed roots; github: owner/name',
    )
    .option('--branch <name>', 'git: the branch (default main)')
    .option('--ref <ref>', "github: a branch, tag or commit (default: the repository's default branch)")
    .option('--api-url <url>', 'github: the API of a GitHub Enterprise server (default https://api.github.com)')
    .option('--url <url>', 'web: the start URL (pages on its origin are crawled)')
    .option('--path-prefix <path>', 'web: only pages under this path')
    .option('--max-pages <n>', 'web: stop after this many pages (default 10,000)', integer('--max-pages'))
    .option('--max-depth <n>', 'web: follow links this many hops from the start (default 10)', integer('--max-depth'))
    .option('--private-network', 'web: the site is on loopback or a private network (carrel must also run with --allow-private-addresses)')
    .option('--delay <ms>', 'web: wait between requests, at least (default 500; robots.txt Crawl-delay may ask more)', integer('--delay'))
    .option('--include <glob>', 'only files matching this glob (repeatable)', collect)
    .option('--exclude <glob>', 'leave out files and folders matching this glob (repeatable)', collect)
    .option('--token-env <variable>', 'git over https, github: the environment variable holding a token')
    .option('--schedule <cron>', 'sync on this 5-field cron schedule while carrel serve or carrel mcp runs, e.g. "0 3 * * *"')
    .option('--timezone <zone>', 'the IANA time zone of --schedule (default UTC)')
    .action(async (name: string, o: AddOptions, command: Command) => {
      const { settings, json } = commandContext(command);
      const secret = o.tokenEnv === undefined ? undefined : tokenFrom(o.tokenEnv);
      if (o.schedule !== undefined || o.timezone !== undefined) checkScheduleFlags(o.schedule, o.timezone);
      const options = {
        ...(o.path !== undefined && { path: resolve(o.path) }),
        ...(o.repository !== undefined && { repository: o.kind === 'github' ? o.repository : localOrUrl(o.repository, process.cwd()) }),
        ...(o.branch !== undefined && { branch: o.branch }),
        ...(o.ref !== undefined && { ref: o.ref }),
        ...(o.apiUrl !== undefined && { apiUrl: o.apiUrl }),
        ...(o.url !== undefined && { url: o.url }),
        ...(o.pathPrefix !== undefined && { pathPrefix: o.pathPrefix }),
        ...(o.maxPages !== undefined && { maxPages: o.maxPages }),
        ...(o.maxDepth !== undefined && { maxDepth: o.maxDepth }),
        ...(o.delay !== undefined && { delayMs: o.delay }),
        ...(o.privateNetwork && { allowPrivateAddresses: true }),
        ...(o.include && { include: o.include }),
        ...(o.exclude && { exclude: o.exclude }),
      };
      const view = await withKnowledgeBase(settings, (kb) =>
        kb.addConnector({
          name,
          kind: o.kind,
          library: o.library,
          ...(o.libVersion !== undefined && { version: o.libVersion }),
          options,
          ...(secret !== undefined && { secret }),
          ...(o.schedule !== undefined && { schedule: o.schedule }),
          ...(o.timezone !== undefined && { timezone: o.timezone }),
        }),
      );
      print(view, json, (v) => `Added connector ${renderConnector(v)}\nSync it with: carrel sync ${v.name}`);
    });

  connectors
    .command('list')
    .description('List connectors')
    .action(async (_o: unknown, command: Command) => {
      const { settings, json } = commandContext(command);
      const list = await withKnowledgeBase(settings, (kb) => kb.listConnectors());
      print({ connectors: list }, json, ({ connectors: all }: { connectors: ConnectorView[] }) =>
        all.length === 0 ? 'No connectors yet: add one with carrel connectors add.' : all.map((c) => renderConnector(c)).join('\n'),
      );
    });

  connectors
    .command('show')
    .description("Show a connector's options, cursor and last sync")
    .argument('<name>', 'the connector')
    .action(async (name: string, _o: unknown, command: Command) => {
      const { settings, json } = commandContext(command);
      const view = await withKnowledgeBase(settings, (kb) => kb.showConnector(name));
      print(view, json, (v) => renderConnector(v, { detailed: true }));
    });

  connectors
    .command('schedule')
    .description('Set the cron schedule a carrel server syncs a connector on, or take it off with --off')
    .argument('<name>', 'the connector')
    .argument('[cron]', 'a 5-field cron expression: minute hour day-of-month month day-of-week, e.g. "0 3 * * *"')
    .option('--timezone <zone>', 'the IANA time zone of the schedule (default UTC)')
    .option('--off', 'take the schedule off: the connector syncs only when asked')
    .action(async (name: string, cron: string | undefined, o: { timezone?: string; off?: boolean }, command: Command) => {
      const { settings, json } = commandContext(command);
      if ((cron === undefined) === (o.off !== true))
        throw new CliError('Give a cron expression (e.g. "0 3 * * *") or --off, not both', ExitCode.Usage);
      if (o.off && o.timezone !== undefined) throw new CliError('--timezone goes with a cron expression, not --off', ExitCode.Usage);
      if (cron !== undefined) checkScheduleFlags(cron, o.timezone, { schedule: 'cron expression', timezone: '--timezone' });
      const view = await withKnowledgeBase(settings, (kb) =>
        kb.scheduleConnector(name, cron === undefined ? null : { cron, ...(o.timezone !== undefined && { timezone: o.timezone }) }),
      );
      print(view, json, (v) => (v.schedule ? renderConnector(v) : `${v.name} syncs only when asked (no schedule)`));
    });

  connectors
    .command('set-token')
    .description("Store a new token as a connector's secret (one that expired or was revoked, or was never given)")
    .argument('<name>', 'the connector')
    .requiredOption('--token-env <variable>', 'the environment variable holding the token')
    .action(async (name: string, o: { tokenEnv: string }, command: Command) => {
      const { settings, json } = commandContext(command);
      const token = tokenFrom(o.tokenEnv);
      const view = await withKnowledgeBase(settings, (kb) => kb.setConnectorSecret(name, token));
      print(view, json, (v) => `Stored a new token for connector ${v.name} (${v.secret ?? '****'}); sync it with: carrel sync ${v.name}`);
    });

  connectors
    .command('remove')
    .description('Remove a connector and its secret; its documents stay unless --delete-documents')
    .argument('<name>', 'the connector')
    .option('--delete-documents', 'also delete the documents it brought into its library')
    .action(async (name: string, o: { deleteDocuments?: boolean }, command: Command) => {
      const { settings, json } = commandContext(command);
      const removed = await withKnowledgeBase(settings, (kb) => kb.removeConnector(name, { deleteDocuments: o.deleteDocuments === true }));
      print(
        removed,
        json,
        (r) =>
          `Removed connector ${r.removed}${o.deleteDocuments ? `; ${r.deletedDocuments} documents deleted` : '; its documents are kept'}`,
      );
    });
}

/** Commander's way to repeat an option: each `--include <glob>` adds one. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Checks schedule flags before anything opens, naming the flag at fault. */
function checkScheduleFlags(cron: string | undefined, timezone: string | undefined, names = SCHEDULE_FLAGS): void {
  if (cron === undefined) throw new CliError('--timezone goes with --schedule', ExitCode.Usage);
  checkSchedule(cron, timezone, names);
}

function tokenFrom(variable: string): string {
  const token = process.env[variable];
  if (token === undefined || token === '')
    throw new CliError(`--token-env ${variable}: the environment variable ${variable} is not set`, ExitCode.Usage);
  return token;
}
