import { describe, expect, it } from 'vitest';
import { nameOf, splitClasses, upperCase } from '../../src/sources/html/dom.js';
import { parseHtml, query, queryAll, removeAll } from '../../src/sources/html/parse.js';

// The converter's element helpers are on every element's path, so they are written as scans and
// memos (dom.ts, parse.ts); these pin down that they read a page as the libraries they replace did.

describe('splitClasses', () => {
  it('splits at any white space, as css-select reads a class attribute', () => {
    expect(splitClasses('')).toEqual([]);
    expect(splitClasses('   ')).toEqual([]);
    expect(splitClasses('body')).toEqual(['body']);
    expect(splitClasses('  highlight-python3 \t notranslate\n')).toEqual(['highlight-python3', 'notranslate']);
    // No-break and ideographic spaces are white space to `\s`, which css-select's `.class` test uses.
    expect(splitClasses('a\u00a0b\u3000c')).toEqual(['a', 'b', 'c']);
    expect(splitClasses('é-ß ü')).toEqual(['é-ß', 'ü']);
  });
});

describe('element names', () => {
  it('are upper case, whatever case the page or tree wrote them in', () => {
    expect(upperCase('div')).toBe('DIV');
    expect(upperCase('DIV')).toBe('DIV');
    expect(upperCase('my-Widget')).toBe('MY-WIDGET');
    const page = parseHtml('<DIV><Span>x</Span><svg><foreignObject></foreignObject></svg></DIV>');
    expect(queryAll(page, '*').map((el) => nameOf(el as never))).toEqual(['DIV', 'SPAN', 'SVG', 'FOREIGNOBJECT']);
  });

  it('stay right past the names the memo keeps (a page inventing thousands of tags)', () => {
    const names = Array.from({ length: 3000 }, (_, i) => `x-tag${i}`);
    expect(names.map(upperCase)).toEqual(names.map((name) => name.toUpperCase()));
  });
});

describe('selector queries', () => {
  const page = () =>
    parseHtml(`<html><head><title>T</title></head><body>
      <div class="a" id="1"><p class="a" id="2"><span class="a" id="3"></span></p></div>
      <template><div class="a" id="t"></div></template>
      <section><div class="a" id="4"></div></section></body></html>`);

  it('find every match in document order, outer before inner, and not inside a template', () => {
    expect(queryAll(page(), '.a').map((el) => el.attribs.id)).toEqual(['1', '2', '3', '4']);
    expect(queryAll(page(), 'div.a, span').map((el) => el.attribs.id)).toEqual(['1', '3', '4']);
    expect(query(page(), 'section .a')?.attribs.id).toBe('4');
    expect(query(page(), 'p')?.attribs.id).toBe('2');
    expect(query(page(), 'article')).toBeUndefined();
  });

  it('search under an element, not the element itself', () => {
    const root = page();
    const outer = query(root, 'div.a')!;
    expect(queryAll(outer, '.a').map((el) => el.attribs.id)).toEqual(['2', '3']);
    removeAll(outer, 'span');
    expect(queryAll(root, '.a').map((el) => el.attribs.id)).toEqual(['1', '2', '4']);
  });
});
