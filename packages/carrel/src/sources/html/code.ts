/**
 * Code blocks in the shapes documentation generators write them: `<pre>` with or without `<code>`,
 * and Doxygen's `div.fragment` of one `div.line` per line. The language comes from wherever the
 * markup names it: `language-x`/`lang-x` classes (Prism, highlight.js, Javadoc snippets), a
 * `data-lang` attribute, Sphinx's `div.highlight-x` two levels up, Pandoc's `pre.sourceCode x`.
 *
 * @module
 */
import type { DomNode } from './dom.js';
import { attr, childElements, classesOf, nameOf, textOf } from './dom.js';

/** True for an element written as one fenced code block. */
export function isCodeBlock(node: DomNode, name: string): boolean {
  return name === 'PRE' || (name === 'DIV' && classesOf(node).includes('fragment'));
}

/**
 * The code of a code block, without a first line break (HTML drops the one right after `<pre>`,
 * linkedom keeps it) or a final one; Doxygen line numbers and tooltips left out.
 */
export function codeText(node: DomNode): string {
  let code =
    nameOf(node) === 'PRE'
      ? textOf(node)
      : childElements(node)
          .map((line) => textOf(line))
          .join('\n');
  if (code.startsWith('\n')) code = code.slice(1);
  return code.endsWith('\n') ? code.slice(0, -1) : code;
}

/** Sphinx's names for "no particular language". */
const NO_LANGUAGE = new Set(['default', 'none', 'text']);

/** The language the markup names for a code block, or ''. */
export function codeLanguage(node: DomNode): string {
  const candidates: DomNode[] = [node, ...childElements(node).filter((c) => nameOf(c) === 'CODE')];
  for (let up = node.parentNode, i = 0; up && i < 2; up = up.parentNode, i++) candidates.push(up);
  for (const el of candidates) {
    const dataLang = attr(el, 'data-lang');
    if (dataLang !== '') return dataLang;
    const classes = classesOf(el);
    for (const c of classes) {
      const prefix = ['language-', 'lang-', 'highlight-'].find((p) => c.startsWith(p));
      const language = prefix ? c.slice(prefix.length) : '';
      if (language !== '' && !NO_LANGUAGE.has(language)) return language;
    }
    if (classes[0] === 'sourceCode' && classes[1]) return classes[1];
  }
  return '';
}
