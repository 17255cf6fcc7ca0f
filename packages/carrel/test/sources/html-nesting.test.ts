import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { limitNesting } from '../../src/sources/html-nesting.js';

const depthOf = (html: string) => {
  let deepest = 0;
  const walk = (node: { children: ArrayLike<unknown> }, depth: number) => {
    deepest = Math.max(deepest, depth);
    for (const child of Array.from(node.children)) walk(child as { children: ArrayLike<unknown> }, depth + 1);
  };
  walk(parseHTML(`<html>${html}</html>`).document.body as unknown as { children: ArrayLike<unknown> }, 0);
  return deepest;
};

describe('limitNesting', () => {
  it('leaves an ordinary page as it is (the same string)', () => {
    const page = `<!doctype html><html><head><title>a < b</title><script>if (a<b) x = "</div>";</script></head><body><!-- <div> --><ul><li>one<li>two</ul><p>para<p>more<svg><path d="M0"/><path/></svg><div/><img src=x><a title='it"s'>l</a></body></html>`;
    expect(limitNesting(page, 4)).toBe(page);
  });

  it('drops the tags nested past the cap and keeps their text', () => {
    const html = `<body>${'<div>'.repeat(10)}<b>text</b>${'</div>'.repeat(10)}<p>after</p></body>`;
    const limited = limitNesting(html, 3);
    expect(limited).toBe(`<body><div><div><div>text</div></div></div><p>after</p></body>`);
    expect(depthOf(limited)).toBe(3);
  });

  it('reads tag names in any letter case, as the parser does', () => {
    const html = `<BODY>${'<Div>'.repeat(10)}text${'</DIV>'.repeat(10)}<Ul><LI>one<Li>two</UL><P>after</P></BODY>`;
    expect(limitNesting(html, 3)).toBe(`<BODY><Div><Div><Div>text</DIV></DIV></DIV><Ul><LI>one<Li>two</UL><P>after</P></BODY>`);
    const raw = `<body><SCRIPT>if (a<b) x = "<div><div><div>";</Script><div>x</div></body>`;
    expect(limitNesting(raw, 1)).toBe(raw);
  });

  it('counts what the parser nests: <div/> opens, optional end tags do not, quotes only after =', () => {
    expect(depthOf(limitNesting('<body>' + '<div/>'.repeat(50) + 'x</body>', 8))).toBe(8);
    expect(limitNesting(`<body><div x=a"b>${'<div>'.repeat(20)}in${'</div>'.repeat(20)}</div></body>`, 8)).not.toContain('<div>'.repeat(9));
    const items = `<body><ul>${'<li>item'.repeat(100)}</ul></body>`;
    expect(limitNesting(items, 2)).toBe(items);
  });

  it('stops at an unclosed tag, quote or comment, as the parser reads the rest as part of it', () => {
    for (const tail of ['<div class="x', '<!-- open', "<div x='y", '<script>never closed']) {
      const html = `<body>${'<div>'.repeat(3)}${tail}${'<div>'.repeat(50)}`;
      expect(limitNesting(html, 1).endsWith(`${tail}${'<div>'.repeat(50)}`)).toBe(true);
    }
  });
});
