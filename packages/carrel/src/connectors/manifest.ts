/**
 * The sources manifest, `carrel.sources.yaml`: connectors declared in a file that `carrel sync
 * --manifest` reconciles the data dir with (see `reconcile.ts`). Its shape is published as
 * `schemas/sources.schema.json`:
 *
 * ```yaml
 * connectors:
 *   - name: guide
 *     kind: directory
 *     library: guide@2
 *     options: { path: ./docs }      # local paths are read from the manifest's folder
 *     schedule: "0 3 * * *"          # optional, with an optional timezone
 *   - name: api
 *     kind: git
 *     library: api
 *     options: { repository: https://example.com/org/api.git }
 *     tokenEnv: API_DOCS_TOKEN       # the token is read from this variable, never written in the file
 * ```
 *
 * The whole file is read and checked before anything changes; every error names the file, the
 * line and the field.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type Document, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { InvalidInputError, InvalidManifestError } from '../errors.js';
import type { ConnectorInput } from './configs.js';
import { absoluteLocalPaths } from './local-paths.js';

/** The file `carrel sync --manifest` reads when given no path. */
export const DEFAULT_MANIFEST = 'carrel.sources.yaml';

/** A manifest read and checked for shape (the knowledge base checks each connector's values). */
export interface SourcesManifest {
  path: string;
  connectors: ConnectorInput[];
  /** `error` naming the file and line when it names a manifest field (`connectors[2].schedule`), else `error`. */
  locate(error: unknown): unknown;
}

/** Keys that would hold a token in the file itself. */
const SECRET_FIELDS = new Set(['token', 'secret', 'password', 'apiKey', 'api_key']);
const MAX_MANIFEST_BYTES = 1024 * 1024;

const textField = (what: string) => z.string({ error: `expected text (${what})` });
const entrySchema = z
  .object({
    name: textField('letters, digits, . _ -').describe("The connector's name, unique in the data dir."),
    kind: textField('directory, git or web').describe('The connector kind.'),
    library: textField('a library name, or name@version').describe('The library it fills, `name` or `name@version`.'),
    version: textField('a library version; quote numbers such as "1.0"').optional().describe('The library version.'),
    options: z
      .record(z.string(), z.unknown(), { error: "expected a map of the kind's options" })
      .optional()
      .describe("The kind's options (as `add_connector` takes them); a local `path` or `repository` is read from the manifest's folder."),
    schedule: textField('a 5-field cron expression, quoted').optional().describe('A 5-field cron expression a carrel server syncs it on.'),
    timezone: textField('an IANA time zone').optional().describe('The IANA time zone of `schedule` (default UTC).'),
    tokenEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name')
      .optional()
      .describe("The environment variable holding the connector's token; a token is never written in the manifest."),
  })
  .strict();
const manifestSchema = z.object({ connectors: z.array(entrySchema, { error: 'expected a list of connectors' }) }).strict();

/** The manifest's JSON Schema, published as `schemas/sources.schema.json`. */
export function sourcesJsonSchema(): Record<string, unknown> {
  const { $schema, ...schema } = z.toJSONSchema(manifestSchema, { target: 'draft-2020-12', io: 'input' });
  return { $schema, title: 'Carrel sources manifest', ...schema };
}

/** Reads the manifest at `path`; tokens come from `env`. */
export function readManifest(path: string, env: NodeJS.ProcessEnv = process.env): SourcesManifest {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'there is no such file' : (error as Error).message;
    throw new InvalidInputError('manifest', `a sources manifest to read, but ${why}: ${path}`);
  }
  if (text.length > MAX_MANIFEST_BYTES) throw new InvalidManifestError(path, 1, 'manifest', `larger than ${MAX_MANIFEST_BYTES} bytes`);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax) throw new InvalidManifestError(path, lines.linePos(syntax.pos[0]).line, 'yaml', syntax.message.split('\n')[0]!);
  const lineOf = (at: (string | number)[]) => nodeLine(doc, lines, at);
  const fail = (at: (string | number)[], problem: string): never => {
    throw new InvalidManifestError(path, lineOf(at), fieldName(at), problem);
  };

  const root = doc.toJS() as unknown;
  // A literal token gets its own refusal: "unknown field" would not say where it belongs.
  if (isRecord(root) && Array.isArray(root.connectors))
    root.connectors.forEach((entry: unknown, i) => {
      for (const key of isRecord(entry) ? Object.keys(entry) : [])
        if (SECRET_FIELDS.has(key))
          fail(
            ['connectors', i, key],
            'a token never goes in this file: put it in an environment variable and name the variable with tokenEnv',
          );
    });
  const parsed = manifestSchema.safeParse(root ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const at = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys')
      fail(
        [...at, issue.keys[0]!],
        `unknown field: expected one of ${Object.keys(at.length ? entrySchema.shape : manifestSchema.shape).join(', ')}`,
      );
    fail(at, issue.code === 'invalid_type' && valueAt(root, at) === undefined ? 'missing' : issue.message);
  }
  const connectors = parsed.data!.connectors.map((entry, i): ConnectorInput => {
    const secret = entry.tokenEnv === undefined ? undefined : env[entry.tokenEnv];
    if (entry.tokenEnv !== undefined && !secret)
      fail(['connectors', i, 'tokenEnv'], `the environment variable ${entry.tokenEnv} is not set`);
    const { tokenEnv: _, options, ...rest } = entry;
    return {
      ...rest,
      options: absoluteLocalPaths(entry.kind, options ?? {}, dirname(file)),
      ...(secret !== undefined && { secret }),
    };
  });

  return {
    path,
    connectors,
    locate: (error) => {
      const field = error instanceof InvalidInputError ? /^connectors\[(\d+)\]\.(.+)$/.exec(error.argument) : null;
      if (!field) return error;
      // A secret is given in the file as the variable that holds it.
      const rest = field[2] === 'secret' ? ['tokenEnv'] : field[2]!.split('.');
      const at = ['connectors', Number(field[1]), ...rest];
      return new InvalidManifestError(path, lineOf(at), fieldName(at), `expected ${(error as InvalidInputError).expected}`);
    },
  };
}

/** The line of the node at `at`, or of its nearest ancestor in the file. */
function nodeLine(doc: Document, lines: LineCounter, at: (string | number)[]): number {
  for (let path = at; ; path = path.slice(0, -1)) {
    const node = (path.length === 0 ? doc.contents : doc.getIn(path, true)) as { range?: [number, number, number] } | null | undefined;
    if (node?.range) return lines.linePos(node.range[0]).line;
    if (path.length === 0) return 1;
  }
}

/** E.g. `connectors[1].options.path`. */
function fieldName(at: (string | number)[]): string {
  return (
    at.reduce<string>((name, part) => (typeof part === 'number' ? `${name}[${part}]` : name ? `${name}.${part}` : part), '') || 'manifest'
  );
}

/** The value at `at` in the parsed file, or undefined. */
function valueAt(root: unknown, at: (string | number)[]): unknown {
  return at.reduce<unknown>(
    (value, key) => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined),
    root,
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
