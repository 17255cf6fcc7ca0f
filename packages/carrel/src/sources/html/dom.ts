/**
 * What the HTML converter reads of a DOM tree, and how it classifies elements: block or inline,
 * and what is never text (hidden elements, tooltips, permalink anchors, line numbers).
 *
 * @module
 */

/** The subset of the DOM the converter reads (linkedom provides it). */
export interface DomNode {
  nodeType: number;
  nodeName: string;
  textContent: string | null;
  childNodes: ArrayLike<DomNode>;
  parentNode?: DomNode | null;
  getAttribute?(name: string): string | null;
  /** The element's classes, where the tree keeps them split (parse.ts does; linkedom's nodes do not). */
  readonly classNames?: readonly string[];
}

/** Elements whose content is never page text. */
const SKIPPED = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'HEAD', 'TITLE', 'IFRAME', 'SVG', 'CANVAS', 'OBJECT', 'BUTTON']);

/**
 * Elements that start a block (HTML's flow content that is not phrasing content). Anything else,
 * a custom or obsolete tag such as `<acronym>` included, is inline: an unknown tag in running text
 * must not split its paragraph, and a block inside it still starts its own block.
 */
export const BLOCK = new Set([
  'ADDRESS',
  'ARTICLE',
  'ASIDE',
  'BLOCKQUOTE',
  'BODY',
  'CAPTION',
  'CENTER',
  'DD',
  'DETAILS',
  'DIALOG',
  'DIR',
  'DIV',
  'DL',
  'DT',
  'FIELDSET',
  'FIGCAPTION',
  'FIGURE',
  'FOOTER',
  'FORM',
  'H1',
  'H2',
  'H3',
  'H4',
  'H5',
  'H6',
  'HEADER',
  'HGROUP',
  'HR',
  'HTML',
  'LEGEND',
  'LI',
  'LISTING',
  'MAIN',
  'MENU',
  'NAV',
  'OL',
  'P',
  'PRE',
  'SEARCH',
  'SECTION',
  'SUMMARY',
  'TABLE',
  'TBODY',
  'TD',
  'TFOOT',
  'TH',
  'THEAD',
  'TR',
  'UL',
  'XMP',
]);

/**
 * Classes of elements that are not the page's text: permalink anchors (Sphinx `headerlink`,
 * Docusaurus `hash-link`, Doxygen `permalink`), Sphinx `[source]`/`[docs]` links, Doxygen tooltips (`ttc`, shown on
 * hover) and code line numbers (Doxygen `lineno`, Pygments `linenos`).
 */
const NOT_TEXT_CLASSES = new Set(['headerlink', 'hash-link', 'permalink', 'viewcode-link', 'viewcode-back', 'ttc', 'lineno', 'linenos']);
const PERMALINK_TEXT = new Set(['', '¶', '#', '🔗', '§', '∞']);

export const isElement = (node: DomNode): boolean => node.nodeType === 1;
export const nameOf = (node: DomNode): string => upperCase(node.nodeName);

/**
 * Upper-case element names, by name: the converter asks for an element's name at every visit, and
 * `toUpperCase` makes a new string each time (~80 ns, a few percent of a Sphinx page's conversion).
 * Tag names are few; a page inventing thousands is converted without the memo past {@link NAMES_KEPT}.
 */
const upperNames = new Map<string, string>();
const NAMES_KEPT = 1024;

/** `name` in upper case, memoised. */
export function upperCase(name: string): string {
  let upper = upperNames.get(name);
  if (upper === undefined) {
    upper = name.toUpperCase();
    if (upperNames.size < NAMES_KEPT) upperNames.set(name, upper);
  }
  return upper;
}
export const attr = (node: DomNode, name: string): string => node.getAttribute?.(name) ?? '';

/** The element's classes. */
export function classesOf(node: DomNode): readonly string[] {
  return node.classNames ?? splitClasses(attr(node, 'class'));
}

/** A `class` attribute's names, split at white space (`\s`, as css-select's class test reads it). */
export function splitClasses(value: string): string[] {
  // A scan, not `split(/\s+/)`: every element's classes are split, and the regular expression
  // split cost more than the rest of reading them.
  const names: string[] = [];
  let start = -1;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const space = c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c > 0x7f && /\s/.test(value[i]!));
    if (!space && start < 0) start = i;
    else if (space && start >= 0) {
      names.push(value.slice(start, i));
      start = -1;
    }
  }
  if (start >= 0) names.push(start === 0 ? value : value.slice(start));
  return names;
}

/** The element's child elements (childNodes read once: linkedom builds a fresh list on every access). */
export function childElements(node: DomNode): DomNode[] {
  return Array.from(node.childNodes).filter(isElement);
}

/** True for an element whose content is not page text: see {@link NOT_TEXT_CLASSES}, hidden elements and permalink anchors. */
export function isNotText(node: DomNode): boolean {
  const name = nameOf(node);
  if (SKIPPED.has(name)) return true;
  if (node.getAttribute?.('hidden') != null) return true;
  const style = attr(node, 'style');
  if (style !== '') {
    const compact = style.toLowerCase().replace(/\s+/g, '');
    if (compact.includes('display:none') || compact.includes('visibility:hidden')) return true;
  }
  const classes = classesOf(node);
  for (const c of classes) if (NOT_TEXT_CLASSES.has(c)) return true;
  // A permalink: an in-page anchor showing only a mark, or one hidden from screen readers.
  if (name === 'A' && attr(node, 'href').startsWith('#')) {
    const text = (node.textContent ?? '').trim();
    if (PERMALINK_TEXT.has(text) && (text !== '' || classes.includes('anchor'))) return true;
    if (attr(node, 'aria-hidden') === 'true') return true;
  }
  return false;
}

/**
 * The text of a subtree without what {@link isNotText} rejects, read with an explicit stack (no
 * recursion, whatever its depth); `<br>` is a line break. `onLink` sees each link inside it.
 */
export function textOf(node: DomNode, onLink?: (link: DomNode) => void): string {
  let out = '';
  const stack: DomNode[] = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.nodeType === 3) out += n.textContent ?? '';
    else if (isElement(n) && !isNotText(n)) {
      const name = nameOf(n);
      if (name === 'BR') out += '\n';
      else if (name === 'A' && onLink) onLink(n);
      const children = n.childNodes;
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
    }
  }
  return out;
}
