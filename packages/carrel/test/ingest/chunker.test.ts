import { describe, expect, it } from 'vitest';
import { chunkMarkdown, MarkdownChunker } from '../../src/ingest/chunker.js';
import { embeddingText } from '../../src/ingest/embedding-session.js';
import { WORDPIECE_ESTIMATE } from '../../src/embedders/token-counter.js';
import { fastestOf } from '../support/timing.js';

const para = (word: string, n: number) => `${word} `.repeat(n).trim() + '.';

describe('MarkdownChunker', () => {
  it('gives each chunk the breadcrumb of the headings above it', () => {
    const md = `# Guide\n\n## Install\n\n${para('install', 100)}\n\n### Linux\n\n${para('linux', 100)}\n\n## Usage\n\n${para('usage', 100)}`;
    const { chunks, title } = chunkMarkdown(md);
    expect(title).toBe('Guide');
    expect(chunks.map((c) => c.heading)).toEqual(['Guide > Install', 'Guide > Install > Linux', 'Guide > Usage']);
  });

  it('merges a section shorter than minTokens with the next one, keeping its heading line', () => {
    const { chunks } = chunkMarkdown(`# T\n\n## Short\n\ntiny\n\n## Long\n\n${para('long', 100)}`);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.heading).toBe('T > Short');
    expect(chunks[0]!.text).toMatch(/^tiny\n\n## Long\n\nlong long/);
  });

  it('cuts long sections near the target size with an overlap from the previous chunk', () => {
    const sentences = Array.from({ length: 60 }, (_, i) => `Sentence number ${i} is here.`).join(' ');
    const paragraphs = Array.from({ length: 6 }, () => sentences).join('\n\n');
    const { chunks } = chunkMarkdown(`# Doc\n\n${paragraphs}`, { targetTokens: 250, maxTokens: 500, overlapTokens: 25 });
    expect(chunks.length).toBeGreaterThan(3);
    for (const c of chunks) expect(WORDPIECE_ESTIMATE.count(embeddingText(c.heading, c.text))).toBeLessThanOrEqual(500);
    for (let i = 1; i < chunks.length; i++) {
      const previousTail = chunks[i - 1]!.text.slice(-60);
      expect(chunks[i]!.text.slice(0, 120)).toContain(previousTail.slice(-30));
    }
  });

  it('keeps a fenced code block whole when it fits, even with blank lines and # comments inside', () => {
    const code = '```sh\n# not a heading\necho one\n\necho two\n```';
    const md = `# Doc\n\n${para('intro', 180)}\n\n${code}\n\n${para('after', 180)}`;
    const { chunks } = chunkMarkdown(md, { targetTokens: 200, maxTokens: 400, overlapTokens: 0 });
    expect(chunks.filter((c) => c.text.includes(code))).toHaveLength(1);
    expect(chunks.every((c) => c.heading === 'Doc')).toBe(true);
  });

  it('splits a code block larger than maxTokens at line boundaries', () => {
    const code = '```\n' + Array.from({ length: 200 }, (_, i) => `line ${i} of code`).join('\n') + '\n```';
    const { chunks } = chunkMarkdown(code, { targetTokens: 125, maxTokens: 250, overlapTokens: 0 });
    expect(chunks.length).toBeGreaterThan(2);
    for (const c of chunks) {
      expect(WORDPIECE_ESTIMATE.count(c.text)).toBeLessThanOrEqual(250);
      expect(c.text.split('\n').every((l) => /^(line \d+ of code|```)$/.test(l))).toBe(true);
    }
  });

  it('reads ATX headings as CommonMark does: closing hashes only after a blank', () => {
    const titles = (line: string) => chunkMarkdown(`${line}\n\nbody`).chunks[0]!.heading;
    expect(titles('# C#')).toBe('C#');
    expect(titles('## Install ##  ')).toBe('Install');
    expect(titles('#\tTabbed\t#')).toBe('Tabbed');
    expect(titles('### #')).toBe('');
    expect(titles('#nospace')).toBe('');
    expect(titles('####### seven')).toBe('');
  });

  it('streams: memory holds one section, and a single huge line is cut into pieces', () => {
    const chunker = new MarkdownChunker({ targetTokens: 250, maxTokens: 500, overlapTokens: 0 });
    let total = 0;
    for (let i = 0; i < 2000; i++) {
      chunker.push(`line ${i} ${'word '.repeat(20)}\n`);
      total += chunker.take().length;
    }
    expect(total).toBeGreaterThan(90);
    chunker.push('x'.repeat(10_000));
    const pieces = [...chunker.take(), ...chunker.end()];
    expect(pieces.every((c) => WORDPIECE_ESTIMATE.count(c.text) <= 500)).toBe(true);
  });
});

/** A benign markdown document of about `size` characters: headed sections of short prose lines. */
function benignMarkdown(size: number): string {
  const section = `## Section title\n\n${'Plain words make a sentence here. '.repeat(2).trim()}\n`.repeat(12) + '\n';
  return section.repeat(Math.ceil(size / section.length)).slice(0, size);
}

/** `line` repeated (newline-terminated) to about `size` characters. */
const linesOf = (line: string, size: number) => `${line}\n`.repeat(Math.max(1, Math.floor(size / (line.length + 1))));

describe('MarkdownChunker on hostile text', () => {
  const SIZE = 1 << 20;
  const hostile: Record<string, string> = {
    'heading lines padded with spaces': linesOf(`# a${' '.repeat(3000)}x`, SIZE),
    'heading lines padded with tabs and hashes': linesOf(`## a${' \t#'.repeat(1000)}x`, SIZE),
    'heading lines of hashes': linesOf(`# ${'#'.repeat(3000)} x`, SIZE),
    'a run of spaces on one line': `${' '.repeat(SIZE)}x`,
    'a run of backticks on one line': '`'.repeat(SIZE),
    'fence-like lines of backticks': linesOf('`'.repeat(3000), SIZE),
    'a run of pipes on one line': '|'.repeat(SIZE),
    'a run of brackets on one line': '[('.repeat(SIZE / 2),
    'a run of emphasis markers on one line': '*_'.repeat(SIZE / 2),
    'deeply nested list items': Array.from({ length: 2000 }, (_, i) => `${'  '.repeat(i % 250)}- item ${i}`).join('\n'),
    'blank lines only': '\n'.repeat(SIZE),
    'heading lines only': linesOf('###### h', SIZE),
    'one 10 MB line of words': 'word '.repeat(2 << 20),
  };
  for (const [name, text] of Object.entries(hostile)) {
    it(`chunks ${name} in time linear in its size`, () => {
      const benign = benignMarkdown(text.length);
      const [bad, good] = fastestOf([() => chunkMarkdown(text), () => chunkMarkdown(benign)], 5);
      // Linear work is within a small factor of the benign input's; the old heading pattern was
      // more than 1,000 times slower on the heading cases.
      expect(bad).toBeLessThan(10 * good! + 5);
    });
  }
});
