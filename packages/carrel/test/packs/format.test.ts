/**
 * The pack format: validation names the bad field, and the published JSON Schema is the one the
 * zod schema emits (regenerate with `npm run schema -w packages/carrel`).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { packJsonSchema, packSchema } from 'carrel';
import { describeIssues } from '../../src/packs/format.js';
import { makePack, packDocuments } from '../support/packs.js';

const problems = (value: unknown) => {
  const checked = packSchema.safeParse(value);
  return checked.success ? 'valid' : describeIssues(checked.error);
};

describe('pack format', () => {
  it('accepts a pack and names every bad field of one that is not', () => {
    expect(problems(makePack('docs', '1.0.0', packDocuments(2)))).toBe('valid');
    expect(problems({ ...makePack('docs', '1', []), name: 'bad name', license: undefined })).toBe(
      'name: letters, digits, ".", "_" and "-", starting with a letter or digit; license: Invalid input: expected string, received undefined',
    );
    const twice = packDocuments(1);
    expect(problems(makePack('docs', '1', [...twice, ...twice]))).toBe(
      'documents.1.source: duplicate source https://docs.example.com/doc-0',
    );
    expect(problems(makePack('docs', '1', [{ ...twice[0]!, vectors: ['AAAA'] }]))).toBe(
      'documents.0.vectors: vectors need the pack\'s "embedding"',
    );
    const withEmbedding = {
      ...makePack('docs', '1', [{ ...twice[0]!, vectors: ['AAAA', 'not base64!'] }]),
      embedding: { model: 'm', dims: 3, chunking: 'c' },
    };
    expect(problems(withEmbedding)).toBe(
      'documents.0.vectors.1: Invalid base64-encoded string; documents.0.vectors.1: expected 3 dimensions',
    );
    expect(problems({ ...makePack('docs', '1', []), format: 2, extra: true })).toMatch(
      /^format: Invalid input: expected 1; \(top level\): Unrecognized key: "extra"$/,
    );
  });

  it('publishes the JSON Schema the zod schema emits', () => {
    const published = JSON.parse(readFileSync(new URL('../../schemas/pack.schema.json', import.meta.url), 'utf8')) as unknown;
    expect(published).toEqual(packJsonSchema());
  });
});
