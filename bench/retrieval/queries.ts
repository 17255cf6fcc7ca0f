/**
 * Labelled queries derived mechanically from a documentation set's own HTML structure: each
 * generator marks up a short statement of what a page is about, and that statement (without the
 * page's own name) becomes a query whose answer is the page. Nothing is written by hand.
 *
 * - Sphinx (python3.11-doc): a module page's H1 "json — JSON encoder and decoder" → "JSON encoder and decoder".
 * - DocBook (postgresql-doc-15): a reference page's refnamediv "psql — PostgreSQL interactive terminal" → its purpose.
 * - Javadoc (libcommons-lang3-java-doc): a class page's first description sentence.
 * - Doxygen (libjsoncpp-doc): a compound page's brief description (`\brief`, the paragraph before "More...").
 * - MkDocs (mkdocs-doc): a page's H2/H3 section headings (a heading found on more than one page is left out).
 *
 * Rules, the same for every set, so a query is never a copy of the target's name: every word of the
 * page's name (the module, command, class or compound name; for MkDocs the page's H1) is removed
 * from the query; the query keeps its first sentence and at most 16 words; a query left with fewer
 * than 2 words is dropped; a query text that two pages would share is dropped for both (it has no
 * single answer).
 *
 * @module
 */
import { parseHTML } from 'linkedom';

/** A query and the page (path relative to the set's folder) that answers it. */
export interface LabelledQuery {
  query: string;
  page: string;
}

type Element = { textContent: string | null; querySelector(s: string): Element | null; querySelectorAll(s: string): Iterable<Element> };

const words = (text: string) => text.match(/[\p{L}\p{N}_]+/gu) ?? [];
const clean = (text: string | null | undefined) => (text ?? '').replace(/[¶\s]+/g, ' ').trim();

/** The query for `signal` on a page named `name`, or undefined when the rules drop it. */
export function queryFrom(signal: string, name: string): string | undefined {
  const named = new Set(words(name).map((w) => w.toLowerCase()));
  const sentence = /^(.+?[.!?])(\s|$)/.exec(signal)?.[1] ?? signal;
  const kept = sentence
    .split(/\s+/)
    .filter((token) => {
      const ws = words(token);
      return ws.length > 0 && !ws.some((w) => named.has(w.toLowerCase()));
    })
    .slice(0, 16);
  return kept.length >= 2 ? kept.join(' ') : undefined;
}

/** Splits a "name — purpose" line. */
const dashed = (text: string) => {
  const at = / [—–-] /.exec(text)?.index;
  return at === undefined ? undefined : { name: text.slice(0, at), purpose: text.slice(at + 3) };
};

/**
 * Per documentation set (by the set's name in bench/fidelity/sets.ts): which pages can carry a
 * signal and the part of their HTML that holds it (cut out with a regular expression, so that
 * whole pages are not parsed: linkedom takes seconds on a long Sphinx page), and the (signal, name)
 * pairs found in that part.
 */
const RULES: Record<
  string,
  { part: (page: string, html: string) => string | undefined; signals: (doc: Element) => { signal: string; name: string }[] }
> = {
  sphinx: {
    part: (page, html) => (page.startsWith('library/') ? /<h1>[\s\S]*?<\/h1>/.exec(html)?.[0] : undefined),
    signals: (doc) => {
      const h1 = doc.querySelector('h1');
      const d = dashed(clean(h1?.textContent));
      return d ? [{ signal: d.purpose, name: d.name }] : [];
    },
  },
  docbook: {
    part: (_, html) => /<div class="refnamediv">[\s\S]*?<\/div>/.exec(html)?.[0],
    signals: (doc) => {
      const p = doc.querySelector('div.refnamediv p');
      const d = dashed(clean(p?.textContent));
      return d ? [{ signal: d.purpose, name: d.name }] : [];
    },
  },
  javadoc: {
    part: (_, html) => (html.includes('class-description') ? html : undefined),
    signals: (doc) => {
      const block = doc.querySelector('section.class-description div.block');
      const title = clean(doc.querySelector('h1.title')?.textContent);
      return block && title ? [{ signal: clean(block.textContent), name: title.slice(title.indexOf(' ') + 1).split('<')[0]! }] : [];
    },
  },
  doxygen: {
    part: (_, html) => (html.includes('#details') ? html : undefined),
    signals: (doc) => {
      const title = clean(doc.querySelector('div.header div.title')?.textContent);
      for (const p of doc.querySelectorAll('div.contents > p')) {
        if (p.querySelector('a[href$="#details"]'))
          return [
            {
              signal: clean(p.textContent)
                .replace(/More\.\.\.$/, '')
                .trim(),
              name: title,
            },
          ];
      }
      return [];
    },
  },
  mkdocs: {
    part: (_, html) => html,
    signals: (doc) => {
      const main = doc.querySelector('div[role=main]');
      const title = clean(main?.querySelector('h1')?.textContent);
      return [...(main?.querySelectorAll('h2, h3') ?? [])].map((h) => ({ signal: clean(h.textContent), name: title }));
    },
  },
};

/** The labelled queries of `pages` (path → HTML) of the set named `set`. */
export function labelledQueries(set: string, pages: Iterable<[string, string]>): LabelledQuery[] {
  const rules = RULES[set];
  if (!rules) throw new Error(`no query rules for set ${set}`);
  // Keyed by the lowercased query; the text kept is the first page's.
  const byText = new Map<string, { query: string; targets: Set<string> }>();
  for (const [page, html] of pages) {
    const part = rules.part(page, html);
    if (part === undefined) continue;
    const { document } = parseHTML(part);
    for (const { signal, name } of rules.signals(document as unknown as Element)) {
      const query = queryFrom(signal, name);
      if (!query) continue;
      const entry = byText.get(query.toLowerCase()) ?? { query, targets: new Set<string>() };
      entry.targets.add(page);
      byText.set(query.toLowerCase(), entry);
    }
  }
  const out: LabelledQuery[] = [];
  for (const { query, targets } of byText.values()) if (targets.size === 1) out.push({ query, page: [...targets][0]! });
  return out.sort((a, b) => a.page.localeCompare(b.page) || a.query.localeCompare(b.query));
}
