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
    expect(title).toBe('Queues');
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

  it('accepts UTF-8 HTML and text with a stray NUL or two (Javadoc documents the NUL character with raw NULs), NULs dropped', async () => {
    const page = `<html><head><meta name="generator" content="javadoc/ClassWriterImpl"></head><body><main>
      <p>null control character ('\0'), abbreviated NUL.</p><p>${'Converts characters. '.repeat(400)}</p><p>Also \0 here.</p></main></body></html>`;
    const { markdown, generator } = await extract(enc(page), 'html', 'CharUtils.html');
    expect(generator).toBe('javadoc');
    expect(markdown).toContain("null control character (''), abbreviated NUL.");
    expect(markdown).toContain('Also here.');
    expect(markdown).not.toContain('\0');
    expect((await extract(enc(`a\0b${' words'.repeat(200)}`), 'text', 'a.txt')).markdown).toBe(`ab${' words'.repeat(200)}`);
  });

  it('still rejects binaries that are valid UTF-8 but full of NULs, and UTF-16 text', async () => {
    await expect(extract(new Uint8Array([0, 1, 2, 0]), 'markdown', 'bad.md')).rejects.toThrow(UnsupportedContentError);
    const sqliteHeader = enc(`SQLite format 3\0${'\0\x10\0\x01\x01\0@  '.repeat(20)}`);
    await expect(extract(sqliteHeader, 'text', 'db.txt')).rejects.toThrow(/binary \(contains NUL bytes\)/);
    const utf16 = new Uint8Array(Buffer.from('<html><body><p>hello</p></body></html>', 'utf16le'));
    await expect(extract(utf16, 'html', 'page.html')).rejects.toThrow(UnsupportedContentError);
    // Two NULs, like the Javadoc page, but not UTF-8: a binary.
    await expect(extract(new Uint8Array([0xff, 0xfe, 0x41, 0, 0x42, 0, 0x43]), 'text', 'x.txt')).rejects.toThrow(UnsupportedContentError);
  });

  it('rejects binary content and files that only pretend to be PDFs', async () => {
    await expect(extract(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 1]), 'text', 'image.txt')).rejects.toThrow(UnsupportedContentError);
    await expect(extract(enc('not a pdf'), 'pdf', 'fake.pdf')).rejects.toThrow(/does not start with %PDF-/);
  });
});

describe('htmlToMarkdown on hostile pages', () => {
  // Each page at a quarter size and at full size: linear work grows ~4×, quadratic work 16×. The
  // growth, not a comparison with a benign page, is what tells them apart: some hostile shapes are
  // linear with a larger constant (a run of &nbsp; costs ~10× a plain page per byte). The 150 ms
  // allowance absorbs the noise of the fastest cases (2–40 ms) and a step in Readability, which
  // pages without a main region still go through (a page of backticks: 3 ms at 96 KB, 37 ms at
  // 128 KB, 2× again at 256 KB); a quadratic path at this size costs seconds (Turndown's trim:
  // 18.6 s on 64 KB).
  const SIZE = 1 << 17;
  const hostile: Record<string, (size: number) => string> = {
    // Turndown's final trim /[\t\r\n\s]+$/ was quadratic in a whitespace run: 64 KB took 18.6 s.
    'a <pre> of spaces': (n) => `<html><body><pre><code>${' '.repeat(n)}x</code></pre></body></html>`,
    'a run of non-breaking spaces': (n) => `<html><body><article><p>a${'&nbsp;'.repeat(n / 6)}b</p></article></body></html>`,
    // Readability: 1,000 nested divs took 35 s; linkedom's parse also grows faster than the page with depth.
    'deeply nested divs': (n) => `<html><body>${'<div>'.repeat(n / 11)}deep${'</div>'.repeat(n / 11)}</body></html>`,
    'deeply nested lists': (n) => `<html><body>${'<ul><li>x'.repeat(n / 10)}${'</li></ul>'.repeat(n / 10)}</body></html>`,
    // Each table looks into its cells for blocks only as far as the next table inside them.
    'deeply nested tables whose cells hold blocks': (n) =>
      `<html><body>${'<table><tr><td>x<p>a</p><p>b</p>'.repeat(n / 33)}${'</td></tr></table>'.repeat(n / 33)}</body></html>`,
    'deeply nested quotes': (n) => `<html><body>${'<blockquote>q'.repeat(n / 13)}${'</blockquote>'.repeat(n / 13)}</body></html>`,
    'runs of backticks in code': (n) => `<html><body><p><code>${'`'.repeat(n / 2)}</code></p><pre>${'`'.repeat(n / 2)}</pre></body></html>`,
    'runs of markdown characters': (n) => `<html><body><p>${'*_`[]#\\'.repeat(n / 7)}</p></body></html>`,
  };
  for (const [name, page] of Object.entries(hostile)) {
    it(`converts ${name} in time linear in the page`, async () => {
      // Fastest of five: a shared machine under load stalls single runs for longer than the slack.
      const [quarter, full] = await fastestOfAsync([() => htmlToMarkdown(page(SIZE / 4)), () => htmlToMarkdown(page(SIZE))], 5);
      expect(full).toBeLessThan(8 * quarter! + 150);
    });
  }

  it('keeps the text of elements nested past the cap', async () => {
    const { markdown } = await htmlToMarkdown(`<html><body>${'<div>'.repeat(5000)}<p>deep text</p>${'</div>'.repeat(5000)}</body></html>`);
    expect(markdown).toBe('deep text');
  });
});
