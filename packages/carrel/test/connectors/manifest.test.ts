/**
 * The sources manifest read from real files: connectors with local paths made absolute against
 * the manifest's folder and tokens read from the environment; every bad file refused with its
 * path, line and field (YAML syntax, shape, a literal token, an unset variable); the published
 * JSON Schema current.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readManifest, sourcesJsonSchema } from '../../src/connectors/manifest.js';
import { InvalidInputError } from '../../src/errors.js';
import { tempDir } from '../support/temp-dir.js';

function manifest(text: string): string {
  const path = join(tempDir(), 'carrel.sources.yaml');
  writeFileSync(path, text);
  return path;
}

describe('sources manifest', () => {
  it('reads connectors, local paths from the manifest folder, tokens from the environment', () => {
    const path = manifest(
      [
        'connectors:',
        '  - name: guide',
        '    kind: directory',
        '    library: guide@2',
        '    options: { path: ./docs, include: ["**/*.md"] }',
        '    schedule: "0 3 * * *"',
        '    timezone: Europe/Paris',
        '  - name: api',
        '    kind: git',
        '    library: api',
        '    options:',
        '      repository: https://example.com/org/api.git',
        '    tokenEnv: API_TOKEN',
        '  - name: local',
        '    kind: git',
        '    library: local',
        '    options: { repository: ../repo }',
        '',
      ].join('\n'),
    );
    const dir = join(path, '..');
    const read = readManifest(path, { API_TOKEN: 'tok_123' });
    expect(read.connectors).toEqual([
      {
        name: 'guide',
        kind: 'directory',
        library: 'guide@2',
        options: { path: join(dir, 'docs'), include: ['**/*.md'] },
        schedule: '0 3 * * *',
        timezone: 'Europe/Paris',
      },
      { name: 'api', kind: 'git', library: 'api', options: { repository: 'https://example.com/org/api.git' }, secret: 'tok_123' },
      { name: 'local', kind: 'git', library: 'local', options: { repository: join(dir, '..', 'repo') } },
    ]);
  });

  it('names the file, line and field of what is wrong', () => {
    const entry = ['connectors:', '  - name: guide', '    kind: directory', '    library: guide'];
    const cases: [string[], RegExp][] = [
      [['connectors:', '  - name: a', '    name: b'], /:3: yaml: Map keys must be unique/],
      [['sources: []'], /:1: connectors: missing$/],
      [['connectors: []', 'sources: []'], /:2: sources: unknown field: expected one of connectors$/],
      [['connectors: 3'], /:1: connectors: expected a list of connectors$/],
      [[...entry, '    token: ghp_abc'], /:5: connectors\[0\]\.token: a token never goes in this file: .*tokenEnv$/],
      [[...entry, '    tokenEnv: UNSET_VAR'], /:5: connectors\[0\]\.tokenEnv: the environment variable UNSET_VAR is not set$/],
      [[...entry, '    version: 1.0'], /:5: connectors\[0\]\.version: expected text \(a library version; quote numbers such as "1\.0"\)$/],
      [
        [...entry, '    schedul: "0 3 * * *"'],
        /:5: connectors\[0\]\.schedul: unknown field: expected one of name, kind, library, version, options/,
      ],
      [['connectors:', '  - name: guide', '    kind: directory'], /:2: connectors\[0\]\.library: missing$/],
    ];
    for (const [lines, message] of cases) {
      const path = manifest(lines.join('\n'));
      expect(() => readManifest(path, {}), lines.join(' / ')).toThrow(message);
      expect(() => readManifest(path, {})).toThrow(path);
    }
  });

  it('says so when there is no manifest to read', () => {
    const missing = join(tempDir(), 'carrel.sources.yaml');
    expect(() => readManifest(missing, {})).toThrow(
      `Invalid manifest: expected a sources manifest to read, but there is no such file: ${missing}`,
    );
  });

  it('locates an error the knowledge base names by entry and field', () => {
    const path = manifest(['connectors:', '  - name: a', '    kind: directory', '    library: a', '    schedule: "0 3 * *"'].join('\n'));
    const read = readManifest(path, {});
    const located = read.locate(new InvalidInputError('connectors[0].schedule', 'five cron fields')) as Error;
    expect(located.message).toBe(`${path}:5: connectors[0].schedule: expected five cron fields`);
    const other = new Error('unrelated');
    expect(read.locate(other)).toBe(other);
  });

  it('publishes the JSON Schema the zod schema emits', () => {
    const published = JSON.parse(readFileSync(new URL('../../schemas/sources.schema.json', import.meta.url), 'utf8')) as unknown;
    expect(published).toEqual(sourcesJsonSchema());
  });
});
