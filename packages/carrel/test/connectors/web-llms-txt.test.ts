import { describe, expect, it } from 'vitest';
import { llmsTxtLinks } from '../../src/connectors/web-llms-txt.js';

describe('llmsTxtLinks', () => {
  it('reads markdown links, with titles and angle brackets, resolved against the file', () => {
    const text = [
      '# Project',
      '> Summary with a [relative](docs/intro.md) link.',
      '- [API](https://example.com/api "The API"): reference',
      '- [Bracketed](<https://example.com/angle>)',
      '- [Absolute path](/guide/)',
      'Not a link: [brackets] (and text)',
    ].join('\n');
    expect(llmsTxtLinks(text, 'https://example.com/llms.txt')).toEqual([
      'https://example.com/docs/intro.md',
      'https://example.com/api',
      'https://example.com/angle',
      'https://example.com/guide/',
    ]);
  });

  it('reads a hostile file in linear time', () => {
    const text = `${'['.repeat(50_000)}${'](x '.repeat(50_000)}`;
    expect(llmsTxtLinks(text, 'https://example.com/llms.txt')).toEqual([]);
  });
});
