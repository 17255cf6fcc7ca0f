/**
 * The crawl's queue: breadth first, each URL once, with its depth in link hops from a root and
 * whether it came from a list (a sitemap, llms.txt, the library's own pages — exempt from trap
 * detection) or from a link.
 *
 * @module
 */
import { TrapDetector } from './web-trap.js';

/** One URL waiting to be requested. */
export interface FrontierEntry {
  url: string;
  depth: number;
  /** Found in a list rather than a link: not counted by the trap detector. */
  listed: boolean;
}

/** See module comment. */
export class Frontier {
  private readonly queue: FrontierEntry[] = [];
  private next = 0;
  private readonly seen = new Set<string>();
  private readonly traps: TrapDetector;

  constructor(maxUrlsPerPattern: number) {
    this.traps = new TrapDetector(maxUrlsPerPattern);
  }

  /** True once a URL was refused as part of a trap. */
  get trapped(): boolean {
    return this.traps.tripped;
  }

  /** True when `url` was queued before. */
  has(url: string): boolean {
    return this.seen.has(url);
  }

  /** Queues `entry` unless its URL was queued before or (found in a link) its trap pattern is full. */
  add(entry: FrontierEntry): void {
    if (this.seen.has(entry.url)) return;
    if (!entry.listed && !this.traps.admit(entry.url)) return;
    this.seen.add(entry.url);
    this.queue.push(entry);
  }

  /** The next URL to request, or undefined when none is left. */
  take(): FrontierEntry | undefined {
    if (this.next === this.queue.length) return undefined;
    const entry = this.queue[this.next]!;
    // Drop taken entries now and then, so a long crawl does not hold its whole history twice.
    if (++this.next === 1024) {
      this.queue.splice(0, this.next);
      this.next = 0;
    }
    return entry;
  }

  /** True when URLs wait. */
  get pending(): boolean {
    return this.next < this.queue.length;
  }
}
