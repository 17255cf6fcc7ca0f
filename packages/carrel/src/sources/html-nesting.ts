/**
 * Caps how deep the elements of an HTML string nest, before it is parsed. linkedom's parse grows
 * faster than the page with nesting depth (48,000 nested divs: 2.7 s, against 0.35 s for as many
 * side by side), so does htmlparser2's (its stack of open tags is shifted at every tag: 48,000
 * nested list items took 23 s), and so would every walk after it; no real page nests more than a few dozen deep.
 * One scan over the string: tags nested deeper than the cap are dropped, their text kept.
 *
 * Depth counts elements that must be closed explicitly; `p`, `li`, `td` and the other elements
 * whose end tag HTML lets a page leave out (HTML Living Standard, 13.1.2.4 "Optional tags") are
 * closed by the parser when a sibling starts, so they neither count nor get dropped. Each
 * character is looked at a bounded number of times: an unclosed tag, quote or comment ends the
 * scan, the rest copied as it is.
 *
 * @module
 */

/** Element nesting kept; tags deeper than this are dropped. */
export const MAX_NESTING_DEPTH = 256;

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr']);
const OPTIONAL_END = new Set([
  'p',
  'li',
  'dt',
  'dd',
  'tr',
  'td',
  'th',
  'thead',
  'tbody',
  'tfoot',
  'option',
  'optgroup',
  'rb',
  'rt',
  'rp',
  'rtc',
  'colgroup',
  'caption',
  'html',
  'head',
  'body',
]);
const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes', 'noscript']);

const isNameChar = (c: number) =>
  (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x3a;

/** `html` with elements nested deeper than `max` unwrapped; unchanged (the same string) when none are. */
export function limitNesting(html: string, max = MAX_NESTING_DEPTH): string {
  const kept: string[] = [];
  let copiedTo = 0;
  let depth = 0;
  let foreign = 0; // inside <svg> or <math>, where "/>" closes an element, as in XML
  for (let i = html.indexOf('<'); i >= 0 && i < html.length - 1;) {
    if (html.startsWith('<!--', i)) {
      const end = html.indexOf('-->', i + 4);
      if (end < 0) break;
      i = html.indexOf('<', end + 3);
      continue;
    }
    const closing = html[i + 1] === '/';
    const nameStart = i + (closing ? 2 : 1);
    let nameEnd = nameStart;
    while (nameEnd < html.length && isNameChar(html.charCodeAt(nameEnd))) nameEnd++;
    const name = lowerCaseName(html, nameStart, nameEnd);
    if (name === '') {
      i = html.indexOf('<', i + 1); // "a < b", "<!doctype", "<?xml": not an element tag
      continue;
    }
    const tagEnd = endOfTag(html, nameEnd);
    if (tagEnd < 0) break;
    // Outside svg and math, HTML ignores the slash of <div/>: the element stays open.
    const selfClosed = foreign > 0 && html[tagEnd - 2] === '/';
    if (name === 'svg' || name === 'math') foreign = Math.max(0, foreign + (closing ? -1 : selfClosed ? 0 : 1));
    let drop = false;
    // Raw-text elements are never dropped: their content would turn into page text.
    if (!VOID.has(name) && !OPTIONAL_END.has(name) && !RAW_TEXT.has(name) && !selfClosed) {
      if (closing) {
        drop = depth > max;
        depth = Math.max(0, depth - 1);
      } else drop = ++depth > max;
    }
    if (drop) {
      kept.push(html.slice(copiedTo, i));
      copiedTo = tagEnd;
    }
    let next = tagEnd;
    if (!closing && RAW_TEXT.has(name)) {
      const close = indexOfEndTag(html, name, tagEnd);
      if (close < 0) break;
      next = close;
    }
    i = html.indexOf('<', next);
  }
  if (kept.length === 0) return html;
  kept.push(html.slice(copiedTo));
  return kept.join('');
}

/** The tag name at `start`–`end`, in lower case; lower-cased only when it has a capital (most pages write none). */
function lowerCaseName(html: string, start: number, end: number): string {
  const name = html.slice(start, end);
  for (let i = start; i < end; i++) {
    const c = html.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) return name.toLowerCase();
  }
  return name;
}

/**
 * Where `</name` starts at or after `from`, in any letter case, or -1. The page is not lower-cased
 * whole for this: that copy cost half of the scan on real documentation.
 */
function indexOfEndTag(html: string, name: string, from: number): number {
  for (let i = html.indexOf('</', from); i >= 0; i = html.indexOf('</', i + 2)) {
    if (html.slice(i + 2, i + 2 + name.length).toLowerCase() === name) return i;
  }
  return -1;
}

/**
 * The index just after the `>` that ends a tag whose name ends at `from`, or -1 if it never ends.
 * A quote opens an attribute value only right after `=` (blanks allowed), as HTML tokenizes it.
 */
function endOfTag(html: string, from: number): number {
  let afterEquals = false;
  for (let i = from; i < html.length; i++) {
    const c = html.charCodeAt(i);
    if (c === 0x3e) return i + 1; // >
    if ((c === 0x22 || c === 0x27) && afterEquals) {
      const end = html.indexOf(html[i]!, i + 1);
      if (end < 0) return -1;
      i = end;
      afterEquals = false;
    } else if (c === 0x3d)
      afterEquals = true; // =
    else if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c) afterEquals = false;
  }
  return -1;
}
