import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import type { DomNode } from '../../src/sources/html-to-markdown.js';
import { domToMarkdown } from '../../src/sources/html-to-markdown.js';
import { MAX_NESTING } from '../../src/sources/markdown-writer.js';

const md = (body: string) => domToMarkdown(parseHTML(`<html><body>${body}</body></html>`).document.body as unknown as DomNode);

describe('domToMarkdown', () => {
  it('writes headings, paragraphs, emphasis, links, images, rules and line breaks', () => {
    expect(
      md(
        '<h2>Retry  <em>policy</em></h2><p>Jobs are <strong> retried </strong> with <a href="/b (x)">backoff</a>.<br>Next line.</p><hr><p><img src="/i.png" alt="pic"></p>',
      ),
    ).toBe('## Retry _policy_\n\nJobs are **retried** with [backoff](/b%20\\(x\\)).\nNext line.\n\n---\n\n![pic](/i.png)');
  });

  it('writes lists, nested lists and quotes with their prefixes', () => {
    expect(
      md(
        '<p>x</p><ul><li>one</li><li>two<ol start="3"><li>three</li><li><p>four</p></li></ol></li></ul><blockquote><p>q</p><blockquote>qq</blockquote></blockquote>',
      ),
    ).toBe('x\n\n- one\n- two\n  3. three\n  4. four\n\n> q\n>\n> > qq');
  });

  it('fences code longer than any backtick run inside it and sizes code-span delimiters the same way', () => {
    expect(md('<pre><code class="language-js">a ``` b\n  c\n</code></pre><p><code>x`y</code></p>')).toBe(
      '````js\na ``` b\n  c\n````\n\n``x`y``',
    );
  });

  it('writes tables as pipe tables and escapes markdown characters in text', () => {
    expect(
      md('<table><tr><th>a</th><th>b|c</th></tr><tr><td>1</td><td>2</td></tr></table><p># not *a* heading_</p><p>1. not a list</p>'),
    ).toBe('| a | b\\|c |\n| --- | --- |\n| 1 | 2 |\n\n\\# not \\*a\\* heading\\_\n\n1\\. not a list');
  });

  it('stops indenting past the nesting cap, so output stays linear in the page', () => {
    const depth = MAX_NESTING + 20;
    const out = md(`${'<blockquote>'.repeat(depth)}deep${'</blockquote>'.repeat(depth)}`);
    expect(out).toBe(`${'> '.repeat(MAX_NESTING)}deep`);
  });
});
