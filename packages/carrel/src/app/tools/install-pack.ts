/**
 * `install_pack`: install a knowledge pack (docs/knowledge-packs.md) into a library from a file, an
 * http(s) URL or a registry index, or upgrade the version installed there. Task-capable like
 * `index_document` (progress = documents staged / total); a second install of the same pack into
 * the same library while one runs joins the running task. The pack shows as installed only once
 * all of its documents are, in the same transaction.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { defineTool, type ToolDefinition } from '@carrel/tasks/mcp';
import { z } from 'zod';
import { libraryLabel } from '../../fix.js';
import type { PackSource } from '../../packs/load.js';
import type { KnowledgeBaseHandle } from '../knowledge-base-handle.js';
import { WRITE_SCOPE } from '../scopes.js';
import { writeAnswer } from './tool-result.js';
import { TARGET_SHAPE } from './target.js';

const schema = z
  .object({
    ...TARGET_SHAPE,
    path: z.string().min(1).max(4096).optional().describe('A pack file (.json or .json.gz) inside the allowed roots.'),
    url: z.string().min(1).max(4096).optional().describe('An http(s) URL of a pack file.'),
    registry: z
      .string()
      .min(1)
      .max(4096)
      .optional()
      .describe('A registry index (index.json) as an http(s) URL or a path; needs name, and takes packVersion.'),
    name: z.string().min(1).max(100).optional().describe('With registry: the pack to install.'),
    packVersion: z.string().min(1).max(100).optional().describe('With registry: the version to install (default: the latest).'),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'expected 64 lower-case hex digits')
      .optional()
      .describe("The pack file's expected sha256 (a registry names its own); nothing is installed if it differs."),
  })
  .refine((a) => [a.path, a.url, a.registry].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of path, url or registry',
  })
  .refine((a) => (a.registry === undefined) === (a.name === undefined), { message: 'registry and name go together', path: ['name'] })
  .refine((a) => a.packVersion === undefined || a.registry !== undefined, { message: 'packVersion needs registry', path: ['packVersion'] });

type Args = z.infer<typeof schema>;

function packSource(args: Args): PackSource {
  if (args.path !== undefined) return { path: args.path };
  if (args.url !== undefined) return { url: args.url };
  return { registry: args.registry!, name: args.name!, ...(args.packVersion !== undefined && { version: args.packVersion }) };
}

/** The `install_pack` tool over `kb`. */
export function installPackTool(kb: KnowledgeBaseHandle): ToolDefinition<Args> {
  return defineTool({
    name: 'install_pack',
    title: 'Install a knowledge pack',
    description:
      'Install a knowledge pack (a ready-made set of documents) into a library from a pack file, an http(s) URL or a registry index, or upgrade it to a new version: changed documents are replaced, dropped ones removed, unchanged ones kept. Installing the same pack again is a no-op.',
    inputSchema: schema,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
    taskMode: 'optional',
    requiredScopes: [WRITE_SCOPE],
    about: (args) => `${libraryLabel(args.library, args.version ?? '')}: pack ${args.name ?? args.path ?? args.url}`,
    // The same pack into the same library is the same work, whoever asks, however the tags differ.
    uniqueKey: (args) =>
      createHash('sha256')
        .update(JSON.stringify([args.library, args.version ?? '', packSource(args)]))
        .digest('base64url'),
    run: (args, ctx) =>
      writeAnswer(ctx, kb, (base, run) =>
        base.installPack(
          packSource(args),
          {
            library: args.library,
            ...(args.version !== undefined && { version: args.version }),
            ...(args.tags && { tags: args.tags }),
            ...(args.sha256 !== undefined && { sha256: args.sha256 }),
          },
          run,
        ),
      ),
  });
}
