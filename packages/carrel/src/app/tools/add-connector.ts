/**
 * `add_connector`: configure a source (a folder, a git repository, a web site, a GitHub repository) that `sync_connector` keeps a
 * library in step with. The options are checked now; a token is sealed into the database with the
 * connector (never in plain text, never in a task record), and is shown masked from then on. With a cron `schedule`, the server
 * syncs it at each slot (see app/scheduler.ts).
 *
 * @module
 */
import { defineTool, type ToolDefinition } from '@carrel/tasks/mcp';
import { z } from 'zod';
import { CONNECTOR_KINDS } from '../../connectors/kinds.js';
import type { KnowledgeBaseHandle } from '../knowledge-base-handle.js';
import { WRITE_SCOPE } from '../scopes.js';
import { renderConnector } from '../render.js';
import { LIBRARY_SHAPE } from './target.js';
import { answer, dataResult } from './tool-result.js';

const schema = z.object({
  name: z.string().min(1).max(100).describe('A name of your choice for the connector (letters, digits, . _ -), used to sync or remove it.'),
  kind: z
    .enum(CONNECTOR_KINDS as [string, ...string[]])
    .describe('directory: a local folder; git: a git repository branch; web: a web site; github: a GitHub repository through its API.'),
  ...LIBRARY_SHAPE,
  options: z
    .record(z.string(), z.unknown())
    .optional()
    .describe(
      'directory: {"path": folder, "include"?: [globs], "exclude"?: [globs]}. git: {"repository": https/ssh clone URL or local path, "branch"?: name (default main), "include"?: [globs], "exclude"?: [globs]}. web: {"url": start URL, "pathPrefix"?: path, "include"?/"exclude"?: [URL globs], "maxPages"?: n, "maxDepth"?: n, "delayMs"?: ms}. github: {"repository": "owner/name", "ref"?: branch, tag or commit (default: the default branch), "include"?/"exclude"?: [globs], "apiUrl"?: a GitHub Enterprise API URL}.',
    ),
  secret: z
    .string()
    .min(1)
    .max(4096)
    .optional()
    .describe(
      'git over https, github: a token for the repository, stored encrypted and shown masked. A github connector without one asks for it when synced as a task.',
    ),
  schedule: z
    .string()
    .max(200)
    .optional()
    .describe(
      'Sync on a schedule while a carrel server runs: a 5-field cron expression (minute hour day-of-month month day-of-week), e.g. "0 3 * * *" for 03:00 daily.',
    ),
  timezone: z.string().max(100).optional().describe('The IANA time zone the schedule is read in, e.g. "Europe/Paris" (default UTC).'),
});

/** The `add_connector` tool over `kb`. */
export function addConnectorTool(kb: KnowledgeBaseHandle): ToolDefinition<z.infer<typeof schema>> {
  return defineTool({
    name: 'add_connector',
    title: 'Add a connector',
    description:
      'Configure a source that sync_connector keeps a library in step with: a local folder (directory), a git repository branch (git), a web site (web) or a GitHub repository (github). Nothing is indexed until the first sync.',
    inputSchema: schema,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    taskMode: 'never',
    requiredScopes: [WRITE_SCOPE],
    run: (args, ctx) =>
      answer(ctx, async () => {
        const view = await (
          await kb.get()
        ).addConnector({
          name: args.name,
          kind: args.kind,
          library: args.library,
          ...(args.version !== undefined && { version: args.version }),
          ...(args.options && { options: args.options }),
          ...(args.secret !== undefined && { secret: args.secret }),
          ...(args.schedule !== undefined && { schedule: args.schedule }),
          ...(args.timezone !== undefined && { timezone: args.timezone }),
        });
        return dataResult(`Added connector ${renderConnector(view)}\nSync it with sync_connector.`, view);
      }),
  });
}
