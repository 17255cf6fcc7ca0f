import { describe, expect, it } from 'vitest';
import { chunkMarkdown, MarkdownChunker } from '../../src/ingest/chunker.js';

const para = (word: string, n: number) => `${word} `.repeat(n).trim() + '.';

describe('MarkdownChunker', () => {
  it('gives each chunk the breadcrumb of the headings above it', () => {
    const md = `# Guide\n\n## Install\n\n${para('install', 150)}\n\n### Linux\n\n${para('linux', 150)}\n\n## Usage\n\n${para('usage', 150)}`;
    const { chunks, title } = chunkMarkdown(md);
    expect(title).toBe('Guide');
    expect(chunks.map((c) => c.heading)).toEqual(['Guide > Install', 'Guide > Install > Linux', 'Guide > Usage']);
  });

  it('merges a section shorter than minChars with the next one, keeping its heading line', () => {
    const { chunks } = chunkMarkdown(`# T\n\n## Short\n\ntiny\n\n## Long\n\n${para('long', 200)}`);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.heading).toBe('T > Short');
    expect(chunks[0]!.text).toMatch(/^tiny\n\n## Long\n\nlong long/);
  });

  it('cuts long sections near the target size with an overlap from the previous chunk', () => {
    const sentences = Array.from({ length: 60 }, (_, i) => `Sentence number ${i} is here.`).join(' ');
    const paragraphs = Array.from({ length: 6 }, () => sentences).join('\n\n');
    const { chunks } = chunkMarkdown(`# Doc\n\n${paragraphs}`, { targetChars: 1000, maxChars: 2000, overlapChars: 100 });
    expect(chunks.length).toBeGreaterThan(3);
    for (const c of chunks) expect(c.text.length).toBeLessThanOrEqual(2000 + 102);
    for (let i = 1; i < chunks.length; i++) {
      const previousTail = chunks[i - 1]!.text.slice(-60);
      expect(chunks[i]!.text.slice(0, 120)).toContain(previousTail.slice(-30));
    }
  });

  it('keeps a fenced code block whole when it fits, even with blank lines and # comments inside', () => {
    const code = '```sh\n# not a heading\necho one\n\necho two\n```';
    const md = `# Doc\n\n${para('intro', 180)}\n\n${code}\n\n${para('after', 180)}`;
    const { chunks } = chunkMarkdown(md, { targetChars: 800, maxChars: 1600, overlapChars: 0 });
    expect(chunks.filter((c) => c.text.includes(code))).toHaveLength(1);
    expect(chunks.every((c) => c.heading === 'Doc')).toBe(true);
  });

  it('splits a code block larger than maxChars at line boundaries', () => {
    const code = '```\n' + Array.from({ length: 200 }, (_, i) => `line ${i} of code`).join('\n') + '\n```';
    const { chunks } = chunkMarkdown(code, { targetChars: 500, maxChars: 1000, overlapChars: 0 });
    expect(chunks.length).toBeGreaterThan(2);
    for (const c of chunks) {
      expect(c.text.length).toBeLessThanOrEqual(1000);
      expect(c.text.split('\n').every((l) => /^(line \d+ of code|```)$/.test(l))).toBe(true);
    }
  });

  it('streams: memory holds one section, and a single huge line is cut into pieces', () => {
    const chunker = new MarkdownChunker({ targetChars: 1000, maxChars: 2000, overlapChars: 0 });
    let total = 0;
    for (let i = 0; i < 2000; i++) {
      chunker.push(`line ${i} ${'word '.repeat(20)}`);
      total += chunker.take().length;
    }
    expect(total).toBeGreaterThan(90);
    chunker.push('x'.repeat(10_000));
    const pieces = [...chunker.take(), ...chunker.end()];
    expect(pieces.every((c) => c.text.length <= 2000)).toBe(true);
  });
});
