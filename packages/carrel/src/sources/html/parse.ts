/**
 * Parses HTML once into a light tree (htmlparser2's tokenizer, domhandler's nodes) that both CSS
 * selectors (css-select) and the markdown converter read. linkedom, used before, took 7 s to parse
 * 150 pages of the Python documentation (12 MB) where htmlparser2 with domhandler takes 0.6 s: its
 * DOM keeps nodes in a linked list and rebuilds child lists on every read.
 *
 * The nodes are domhandler's, with the few members the converter's {@link DomNode} reads added by
 * subclassing; comments, the doctype and processing instructions are not kept (nothing reads them).
 *
 * @module
 */
import { compile, is } from 'css-select';
import { Parser } from 'htmlparser2';
import { DomHandler, Element, isTag, Text, type ChildNode, type Document } from 'domhandler';
import { removeElement, textContent } from 'domutils';
import type { DomNode } from './dom.js';
import { splitClasses, upperCase } from './dom.js';

const NO_CHILDREN: readonly never[] = [];

class HtmlElement extends Element {
  /** Upper case, as the DOM names HTML elements; made once, since the converter asks for it at every visit. */
  private upperName: string | undefined;
  get nodeName(): string {
    return (this.upperName ??= upperCase(this.name));
  }
  /** Split once: the converter and the not-text test read them at every visit. */
  private classList: readonly string[] | undefined;
  get classNames(): readonly string[] {
    return (this.classList ??= splitClasses(this.attribs.class ?? ''));
  }
  get textContent(): string {
    return textContent(this);
  }
  getAttribute(name: string): string | null {
    return this.attribs[name] ?? null;
  }
}

class HtmlText extends Text {
  get childNodes(): readonly never[] {
    return NO_CHILDREN;
  }
  get nodeName(): string {
    return '#text';
  }
  get textContent(): string {
    return this.data;
  }
}

/** domhandler's tree builder, making the node classes above and dropping what nobody reads. */
class TreeBuilder extends DomHandler {
  override onopentag(name: string, attribs: Record<string, string>): void {
    const element = new HtmlElement(name, attribs);
    this.addNode(element);
    this.tagStack.push(element);
  }
  override ontext(data: string): void {
    const last = this.lastNode;
    if (last instanceof HtmlText) last.data += data;
    else {
      const node = new HtmlText(data);
      this.addNode(node);
      this.lastNode = node;
    }
  }
  override oncomment(): void {}
  override oncommentend(): void {}
  override onprocessinginstruction(): void {}
}

export type HtmlDocument = Document;
export { HtmlElement };

/** The tree of an HTML page; never throws (the parser recovers from any input). */
export function parseHtml(html: string): HtmlDocument {
  const builder = new TreeBuilder();
  // decodeEntities is the default; lowerCaseTags too, so tag names compare as lower case.
  new Parser(builder).end(html);
  return builder.root;
}

/**
 * Selectors compiled once: compiling (css-what's parse) cost as much as matching when every page
 * compiled the same dozen selectors again. The selectors are the fixed ones of generators.ts and
 * extract.ts, so the cache stays small.
 */
type Compiled = ReturnType<typeof compile<ChildNode, Element>>;
const compiled = new Map<string, Compiled>();
function compiledQuery(selector: string): Compiled {
  let q = compiled.get(selector);
  if (!q) compiled.set(selector, (q = compile<ChildNode, Element>(selector)));
  return q;
}

/** Every element under `root` (in document order) matching a CSS selector. */
export function queryAll(root: HtmlDocument | HtmlElement, selector: string): HtmlElement[] {
  const found: HtmlElement[] = [];
  findElements(root, compiledQuery(selector), (element) => {
    found.push(element);
    return true;
  });
  return found;
}

/** The first element under `root` matching a CSS selector. */
export function query(root: HtmlDocument | HtmlElement, selector: string): HtmlElement | undefined {
  let first: HtmlElement | undefined;
  findElements(root, compiledQuery(selector), (element) => {
    first = element;
    return false;
  });
  return first;
}

/**
 * Visits the elements under `root` that `test` accepts, in document order, until `found` returns
 * false. The walk css-select's `selectAll` does, without its cost: it keeps its stack of child lists
 * with `unshift`/`shift`, which moved the whole stack at every element and took a twentieth of a
 * Sphinx page's conversion. Like css-select in HTML mode, it does not look into `<template>`.
 */
function findElements(root: HtmlDocument | HtmlElement, test: Compiled, found: (element: HtmlElement) => boolean): void {
  const lists: ChildNode[][] = [root.children];
  const next: number[] = [0];
  while (lists.length > 0) {
    const top = lists.length - 1;
    const list = lists[top]!;
    if (next[top]! >= list.length) {
      lists.pop();
      next.pop();
      continue;
    }
    const node = list[next[top]!++]!;
    if (!isTag(node)) continue;
    if (test(node) && !found(node as HtmlElement)) return;
    if (node.name !== 'template' && node.children.length > 0) {
      lists.push(node.children);
      next.push(0);
    }
  }
}

/** True when the element matches a CSS selector. */
export function matches(element: HtmlElement, selector: string): boolean {
  return is<ChildNode, Element>(element, compiledQuery(selector));
}

/** Removes every element under `root` matching a CSS selector. */
export function removeAll(root: HtmlDocument | HtmlElement, selector: string): void {
  for (const element of queryAll(root, selector)) removeElement(element);
}

/** The text of a node and everything under it. */
export function textOf(node: ChildNode | HtmlDocument): string {
  return textContent(node);
}

/**
 * The node as the converter reads it. Every node under a parsed document is an HtmlElement or an
 * HtmlText, which have what DomNode asks for; domhandler's types only do not say so.
 */
export function asDomNode(node: HtmlElement | HtmlDocument): DomNode {
  return node as unknown as DomNode;
}

/** A container whose children are `nodes`, for converting several regions as one. */
export function containerOf(nodes: HtmlElement[]): DomNode {
  return { nodeType: 1, nodeName: 'DIV', textContent: null, childNodes: nodes.map(asDomNode) };
}
