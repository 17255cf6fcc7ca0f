import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Chunk, ChunkerOptions } from '../../src/ingest/chunker.js';
import { chunkMarkdown, DEFAULT_CHUNKER_OPTIONS, joinChunks, MarkdownChunker } from '../../src/ingest/chunker.js';
import { embeddingText } from '../../src/ingest/embedding-session.js';
import { WORDPIECE_ESTIMATE } from '../../src/embedders/token-counter.js';
import { readLines } from '../../src/ingest/read-lines.js';
import { tempDir } from '../support/temp-dir.js';

const words = (n: number, word = 'word') => Array.from({ length: n }, (_, i) => `${word}${i % 10}`).join(' ');
const sentences = (n: number) => Array.from({ length: n }, (_, i) => `Sentence ${i} says a thing.`).join(' ');

const DOCUMENTS: Record<string, string> = {
  'a 5,000-character line': words(800).slice(0, 5000),
  'a long line without spaces': 'x'.repeat(7000),
  'long lines among short ones': `# T\n\nshort\n${words(900)}\nshort again\n\n${sentences(200)}\n`,
  'headings at every level, closing hashes, trailing blanks': `# One #\n\n## Two ##   \ntext\n### Three\n\n\n#### Four\n\n${sentences(80)}\n\n##### Five\n###### Six ######\nend`,
  'a document of headings only': '\n\n# Title\n## Sub\n\n',
  'code blocks, small, blank-lined, giant and unclosed': `intro\n\n\`\`\`js\nconst a = 1;\n\n\n# not a heading\n\`\`\`\n\n~~~~\n${Array.from({ length: 900 }, (_, i) => `  line ${i} of code;`).join('\n')}\n~~~~\n\ntext\n\n\`\`\`\nunclosed ${words(400)}\n`,
  'CRLF line ends': `# Title\r\n\r\n${sentences(60)}\r\n\r\n## Part\r\nline one\r\nline two\r\n\r\n${words(700)}\r\n`,
  'mixed and lone CR line ends': `a\r\nb\nc\rd\r\n\r\n# H\r\n${sentences(100)}\r`,
  'blanks around text and no final newline': `\n\n   \n  indented start\n\t\ttabbed\n\n${sentences(150)}   `,
  'emoji across cut points': `${'🙂'.repeat(3000)}\n\n${'a🙂'.repeat(2000)}\n`,
  'short sections merged into the next': `# T\n\n## A\n\ntiny\n\n## B\n\nsmall\n\n## C\n\n${sentences(120)}\n`,
};

const OPTIONS: Partial<ChunkerOptions>[] = [
  {},
  { targetTokens: 75, maxTokens: 120, overlapTokens: 15, minTokens: 25 },
  { targetTokens: 12, maxTokens: 16, overlapTokens: 0, minTokens: 3 },
];

/** Chunks `text` by pushing it in pieces of `size` characters. */
function streamed(text: string, size: number, options: Partial<ChunkerOptions>): Chunk[] {
  const chunker = new MarkdownChunker(options);
  const chunks: Chunk[] = [];
  for (let i = 0; i < text.length; i += size) {
    chunker.push(text.slice(i, i + size));
    chunks.push(...chunker.take());
  }
  return [...chunks, ...chunker.end()];
}

describe('chunk round trip', () => {
  for (const [name, text] of Object.entries(DOCUMENTS)) {
    it(`gives back ${name} exactly, whole and streamed in pieces of any size`, () => {
      for (const options of OPTIONS) {
        const { chunks } = chunkMarkdown(text, options);
        const max = options.maxTokens ?? DEFAULT_CHUNKER_OPTIONS.maxTokens;
        expect(joinChunks(chunks)).toBe(text);
        for (const c of chunks) {
          expect(WORDPIECE_ESTIMATE.count(embeddingText(c.heading, c.text))).toBeLessThanOrEqual(max);
          expect(c.text.slice(c.overlap).trim()).not.toBe('');
        }
        for (const size of [1, 2, 7, 64, 1000]) expect(streamed(text, size, options)).toEqual(chunks);
      }
    });
  }

  it('makes no chunk of a document of blanks only: there is nothing to search, and it reads back empty', () => {
    expect(chunkMarkdown('\n \n\t\r\n\n').chunks).toEqual([]);
  });

  it('keeps every character of a 10 MB line, which gained 4,594 characters before', () => {
    const line = words(1_800_000).slice(0, 10_000_000);
    const { chunks } = chunkMarkdown(line);
    expect(chunks.length).toBeGreaterThan(4000);
    expect(joinChunks(chunks)).toBe(line);
  });

  it('gives back a file streamed through readLines, as the large-file path reads it', async () => {
    const text = Object.values(DOCUMENTS).join('\n\n') + 'z'.repeat(200_000) + '\r\nlast';
    const path = join(tempDir(), 'doc.md');
    writeFileSync(path, text);
    const chunker = new MarkdownChunker();
    const chunks: Chunk[] = [];
    const fd = openSync(path, 'r');
    for await (const line of readLines(fd, 1000)) {
      chunker.push(line);
      chunks.push(...chunker.take());
    }
    closeSync(fd);
    chunks.push(...chunker.end());
    expect(joinChunks(chunks)).toBe(text);
    expect(chunks).toEqual(chunkMarkdown(text).chunks);
  });
});
