#!/usr/bin/env node
/**
 * The `carrel` program and the process's composition root. Global options (data dir, embedder,
 * allowed roots, `--json`) apply to every command; each command lives in its own file under
 * `cli/commands/`. Commands that start a server get the faces (`app/faces.ts`) from here, so the
 * CLI never imports the MCP face. Errors become a message and an exit code in one place
 * (`cli/errors.ts`).
 *
 * Only commander and the chosen command's modules load at start-up: `carrel mcp` has to answer
 * its client within a few hundred milliseconds.
 *
 * @module
 */
import { Command, Option } from 'commander';
import type { Faces } from './app/faces.js';
import { EMBEDDER_KINDS } from './app/settings.js';
import { CARREL_VERSION } from './app/version.js';
import { reportError } from './cli/errors.js';

/** The faces a command may start, each imported only when started. */
const FACES: Faces = {
  mcp: async () => (await import('./mcp/index.js')).mcpFace,
  dashboard: async () => (await import('./dashboard/dashboard.js')).createDashboard,
};

const COMMANDS = [
  'mcp',
  'serve',
  'add',
  'search',
  'docs',
  'libraries',
  'reindex',
  'pack',
  'connectors',
  'sync',
  'tasks',
  'status',
  'models',
  'migrate',
] as const;

/** Builds the program; only the command being run is imported. */
async function program(argv: readonly string[]): Promise<Command> {
  const root = new Command('carrel')
    .description('A documentation knowledge base for AI agents, served over MCP.')
    .version(CARREL_VERSION)
    .option('-d, --data-dir <dir>', 'where the knowledge base and tasks are stored (default: $CARREL_DATA_DIR or the per-user data folder)')
    .option(
      '--database-url <url>',
      'a PostgreSQL database (postgres://…) holding the knowledge base and the tasks, shared by every node of a cluster (default: $CARREL_DATABASE_URL, else the SQLite file in the data dir)',
    )
    .addOption(new Option('-e, --embedder <kind>', 'embedding model (default: $CARREL_EMBEDDER or local)').choices(EMBEDDER_KINDS))
    .option(
      '--window <tokens>',
      "the embedding model's input length in tokens, which chunks are fitted to (default: $CARREL_EMBEDDER_WINDOW or the model's)",
    )
    .option(
      '--model <id|folder>',
      'the local model: an id in the model cache (see carrel models) or a folder (default: $CARREL_LOCAL_MODEL)',
    )
    .option(
      '--allow <dir>',
      'a folder files may be indexed from; repeat for more (default: $CARREL_ALLOWED_ROOTS or the working directory)',
      (dir: string, dirs: string[] = []) => [...dirs, dir],
    )
    .option(
      '--allow-private-addresses',
      'let URL fetches reach loopback and private networks, for a documentation server of your own (default: $CARREL_ALLOW_PRIVATE_ADDRESSES or refused)',
    )
    .option('--json', 'print results as JSON')
    .exitOverride()
    .showHelpAfterError();
  const named = argv.find((arg) => (COMMANDS as readonly string[]).includes(arg));
  for (const name of named ? [named] : COMMANDS) {
    const module = (await import(`./cli/commands/${name}.js`)) as { register(program: Command, faces: Faces): void };
    module.register(root, FACES);
  }
  return root;
}

const argv = process.argv.slice(2);
try {
  await (await program(argv)).parseAsync(argv, { from: 'user' });
} catch (error) {
  reportError(error);
}
