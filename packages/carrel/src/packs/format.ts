/**
 * The knowledge-pack format: one JSON document (plain, or gzipped) holding a named, versioned set
 * of documents to install into a library, optionally with the vectors of their chunks so that an
 * installer with the same embedder and chunking plan need not embed them again. This zod schema is
 * the one definition: validation uses it, and `schemas/pack.schema.json` is emitted from it
 * (`npm run schema -w packages/carrel`; a test checks the file is current). See docs/knowledge-packs.md.
 *
 * @module
 */
import { z } from 'zod';

/** The format version this build reads and writes. */
export const PACK_FORMAT = 1;

const name = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-", starting with a letter or digit');

/** A base64-encoded int8 vector (each value a chunk vector's component × 127, rounded). */
const vector = z.base64().describe('One chunk vector: its int8 components (unit vector × 127, rounded), base64-encoded.');

export const packDocumentSchema = z
  .object({
    source: z
      .string()
      .min(1)
      .max(4096)
      .describe(
        'Where the document came from (its URL, or any identifier): unique in the pack; installing again replaces the document with this source.',
      ),
    title: z.string().min(1).max(500),
    content: z.string().describe('The text, as markdown or plain text (see format).'),
    format: z.enum(['markdown', 'text']).optional().describe('How content is written (default markdown).'),
    tags: z.array(z.string().min(1).max(100)).max(100).optional(),
    metadata: z
      .record(z.string(), z.json())
      .optional()
      .describe('Anything else about the document, carried in the pack for other tools; carrel does not index it.'),
    vectors: z
      .array(vector)
      .optional()
      .describe("The vectors of the document's chunks in order, as cut with the pack's embedding.chunking plan; needs embedding."),
  })
  .strict();

export const packSchema = z
  .object({
    format: z.literal(PACK_FORMAT).describe('The pack format version.'),
    name,
    version: z.string().min(1).max(100),
    description: z.string().max(2000).optional(),
    license: z.string().min(1).max(200).describe('The licence of the content, e.g. an SPDX identifier.'),
    embedding: z
      .object({
        model: z
          .string()
          .min(1)
          .max(200)
          .describe("The embedder id the vectors were made with (a library's embedder, e.g. in list_libraries)."),
        dims: z.int().min(1).max(4096),
        chunking: z.string().min(1).max(200).describe('The chunking plan the vectors follow (a library\'s "chunking", e.g. in status).'),
      })
      .strict()
      .optional()
      .describe(
        "What the documents' vectors were made with; they are used only by a library with the same embedder, dimension and chunking.",
      ),
    documents: z.array(packDocumentSchema).max(1_000_000),
  })
  .strict()
  .superRefine((pack, ctx) => {
    const seen = new Set<string>();
    pack.documents.forEach((doc, i) => {
      if (seen.has(doc.source))
        ctx.addIssue({ code: 'custom', path: ['documents', i, 'source'], message: `duplicate source ${doc.source}` });
      seen.add(doc.source);
      if (!doc.vectors) return;
      if (!pack.embedding)
        ctx.addIssue({ code: 'custom', path: ['documents', i, 'vectors'], message: 'vectors need the pack\'s "embedding"' });
      else
        doc.vectors.forEach((v, j) => {
          if (Buffer.byteLength(v, 'base64') !== pack.embedding!.dims)
            ctx.addIssue({ code: 'custom', path: ['documents', i, 'vectors', j], message: `expected ${pack.embedding!.dims} dimensions` });
        });
    });
  });

/** A knowledge pack. */
export type Pack = z.infer<typeof packSchema>;
export type PackDocument = z.infer<typeof packDocumentSchema>;

/** A registry: the packs it offers, each version with where to get it and its checksum. */
export const registryIndexSchema = z.object({
  packs: z.array(
    z.object({
      name,
      version: z.string().min(1).max(100),
      url: z.string().min(1).max(4096).describe('The pack file: an http(s) URL, or a path relative to the index.'),
      sha256: z.string().regex(/^[0-9a-f]{64}$/, '64 lower-case hex digits'),
      description: z.string().max(2000).optional(),
    }),
  ),
});

export type RegistryIndex = z.infer<typeof registryIndexSchema>;

/** The problems of an invalid value, each led by where it is (`documents.3.title: …`), at most five. */
export function describeIssues(error: z.ZodError): string {
  const lines = error.issues.slice(0, 5).map((i) => `${i.path.length > 0 ? i.path.join('.') : '(top level)'}: ${i.message}`);
  if (error.issues.length > 5) lines.push(`and ${error.issues.length - 5} more`);
  return lines.join('; ');
}

/** The JSON Schema of the pack format, as published in `schemas/pack.schema.json`. */
export function packJsonSchema(): Record<string, unknown> {
  const { $schema, ...schema } = z.toJSONSchema(packSchema, { target: 'draft-2020-12', io: 'input' });
  return { $schema, title: 'Carrel knowledge pack', ...schema };
}
