import { describe, expect, it } from 'vitest';
import { UnsupportedContentError } from 'carrel';
import { extract, htmlToMarkdown } from '../../src/sources/extract.js';
import { makePdf } from '../support/pdf.js';
import { fastestOfAsync } from '../support/timing.js';

const enc = (s: string) => new TextEncoder().encode(s);

describe('extract', () => {
  it('keeps the main content of an HTML page as markdown and drops navigation', async () => {
    const html = `<html><head><title>Queues | Docs</title></head><body>
      <nav><a href="/">Home</a> <a href="/about">About us menu link</a></nav>
      <article><h1>Queues</h1><p>${'A queue holds jobs until a worker claims them. '.repeat(10)}</p>
      <h2>Retry</h2><p>Failed jobs are retried with <strong>exponential backoff</strong>.</p>
      <pre><code>queue.add("job")</code></pre></article>
      <footer>Copyright footer text</footer></body></html>`;
    const { markdown, title } = await htmlToMarkdown(html);
    expect(title).toBe('Queues | Docs');
    expect(markdown).toContain('## Retry');
    expect(markdown).toContain('**exponential backoff**');
    expect(markdown).toContain('queue.add("job")');
    expect(markdown).not.toContain('About us menu link');
    expect(markdown).not.toContain('Copyright footer');
  });

  it('reads the text and title of a PDF', async () => {
    const { markdown, title } = await extract(
      makePdf(['Carrel PDF heading', 'Vectors are int8 quantized.'], 'Carrel Manual'),
      'pdf',
      'manual.pdf',
    );
    expect(markdown).toContain('Carrel PDF heading');
    expect(markdown).toContain('Vectors are int8 quantized.');
    expect(title).toBe('Carrel Manual');
  });

  it('passes markdown and text through unchanged', async () => {
    expect((await extract(enc('# T\n\nbody'), 'markdown', 'a.md')).markdown).toBe('# T\n\nbody');
    expect((await extract(enc('plain words'), 'text', 'a.txt')).markdown).toBe('plain words');
  });

  it('rejects binary content and files that only pretend to be PDFs', async () => {
    await expect(extract(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 1]), 'text', 'image.txt')).rejects.toThrow(UnsupportedContentError);
    await expect(extract(enc('not a pdf'), 'pdf', 'fake.pdf')).rejects.toThrow(/does not start with %PDF-/);
  });
});

describe('htmlToMarkdown on hostile pages', () => {
  const SIZE = 1 << 17;
  const benign = `<html><head><title>T</title></head><body><article><h1>T</h1>${'<p>Plain words make a sentence here, and another one follows it.</p>'.repeat(SIZE / 64)}</article></body></html>`;
  const hostile: Record<string, string> = {
    // Turndown's final trim /[\t\r\n\s]+$/ was quadratic in a whitespace run: 64 KB took 18.6 s.
    'a <pre> of spaces': `<html><body><pre><code>${' '.repeat(SIZE)}x</code></pre></body></html>`,
    'a run of non-breaking spaces': `<html><body><article><p>a${'&nbsp;'.repeat(SIZE / 6)}b</p></article></body></html>`,
    // Readability: 1,000 nested divs took 35 s; linkedom's parse also grows faster than the page with depth.
    'deeply nested divs': `<html><body>${'<div>'.repeat(SIZE / 11)}deep${'</div>'.repeat(SIZE / 11)}</body></html>`,
    'deeply nested lists': `<html><body>${'<ul><li>x'.repeat(SIZE / 10)}${'</li></ul>'.repeat(SIZE / 10)}</body></html>`,
    'deeply nested quotes': `<html><body>${'<blockquote>q'.repeat(SIZE / 13)}${'</blockquote>'.repeat(SIZE / 13)}</body></html>`,
    'runs of backticks in code': `<html><body><p><code>${'`'.repeat(SIZE / 2)}</code></p><pre>${'`'.repeat(SIZE / 2)}</pre></body></html>`,
    'runs of markdown characters': `<html><body><p>${'*_`[]#\\'.repeat(SIZE / 7)}</p></body></html>`,
  };
  for (const [name, html] of Object.entries(hostile)) {
    it(`converts ${name} in time comparable to a benign page of the same size`, async () => {
      const [bad, good] = await fastestOfAsync([() => htmlToMarkdown(html), () => htmlToMarkdown(benign)]);
      expect(bad).toBeLessThan(10 * good! + 20);
    });
  }

  it('keeps the text of elements nested past the cap', async () => {
    const { markdown } = await htmlToMarkdown(`<html><body>${'<div>'.repeat(5000)}<p>deep text</p>${'</div>'.repeat(5000)}</body></html>`);
    expect(markdown).toBe('deep text');
  });
});
