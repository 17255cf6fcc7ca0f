import { describe, expect, it } from 'vitest';
import { UnsupportedContentError } from 'carrel';
import { extract, htmlToMarkdown } from '../../src/sources/extract.js';
import { makePdf } from '../support/pdf.js';

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
