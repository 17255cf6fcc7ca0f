/**
 * Line-oriented markdown output for the HTML converter: blocks separated by one blank line, and
 * the prefixes of the containers a block sits in (`> ` for quotes, a list marker on an item's
 * first line and its width in blanks on the next ones). Only the first {@link MAX_NESTING}
 * containers add a prefix: each line carries one per level, so unbounded nesting would make the
 * output grow with depth × size.
 *
 * @module
 */

/** Container levels that indent; deeper ones are written at this level. */
export const MAX_NESTING = 16;

/** Collects markdown lines; see module comment. */
export class MarkdownWriter {
  private readonly lines: string[] = [];
  private readonly prefixes: string[] = [];
  private readonly kinds: ('quote' | 'item')[] = [];
  private prefix = '';
  /** A list marker for the next line, and how many trailing prefix characters it stands in for. */
  private marker: { text: string; replaces: number } | undefined;
  private blankOwed = false;

  /** Writes one line of a block (a line break inside it is the caller's business). */
  line(text: string): void {
    if (this.blankOwed && this.lines.length > 0) this.lines.push(this.prefix.trimEnd());
    this.blankOwed = false;
    const marker = this.marker;
    const prefix = marker ? this.prefix.slice(0, this.prefix.length - marker.replaces) + marker.text : this.prefix;
    this.marker = undefined;
    this.lines.push((prefix + text).trimEnd());
  }

  /** Ends the current block: the next line starts a new one after a blank line. */
  endBlock(): void {
    this.blankOwed = true;
  }

  /**
   * Enters a quote (`> `) or a list item (`marker`, continued by blanks of its width). A blank line
   * owed before it is written outside it; between items of one list (`nextItem`) there is none.
   */
  enter(kind: 'quote' | 'item', marker = '', nextItem = false): void {
    if (this.blankOwed && this.lines.length > 0 && !nextItem) this.lines.push(this.prefix.trimEnd());
    this.blankOwed = false;
    const deep = this.prefixes.length >= MAX_NESTING;
    const prefix = deep ? '' : kind === 'quote' ? '> ' : ' '.repeat(marker.length);
    this.prefixes.push(prefix);
    this.kinds.push(kind);
    this.prefix += prefix;
    if (kind === 'item') this.marker = { text: marker, replaces: prefix.length };
  }

  /** True inside a list item (a list there follows the item's text without a blank line). */
  inItem(): boolean {
    return this.kinds.at(-1) === 'item';
  }

  /** Leaves the innermost container. */
  leave(): void {
    this.kinds.pop();
    const prefix = this.prefixes.pop() ?? '';
    this.prefix = this.prefix.slice(0, this.prefix.length - prefix.length);
    this.marker = undefined;
  }

  /** The markdown written so far. */
  toString(): string {
    return this.lines.join('\n');
  }
}
