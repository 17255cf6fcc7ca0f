/**
 * The knowledge base, opened on first use. `carrel mcp` must answer `initialize` within a few
 * hundred milliseconds; the knowledge base pulls in SQLite extensions, the ingest pipeline and the
 * embedder, so it is imported and opened only when a tool first needs it.
 *
 * @module
 */
import type { KnowledgeBase, KnowledgeBaseOptions } from '../knowledge-base.js';

/** A knowledge base opened lazily and at most once. */
export class KnowledgeBaseHandle {
  #opening: Promise<KnowledgeBase> | undefined;

  /** `onOpen` runs once the knowledge base is open, before anyone gets it. */
  constructor(
    private readonly options: KnowledgeBaseOptions,
    private readonly onOpen: (kb: KnowledgeBase) => Promise<void> = async () => {},
  ) {}

  /**
   * The open knowledge base (opening it on the first call). An opening that failed (a PostgreSQL
   * server that was away, say) is forgotten, so the next call tries again.
   */
  get(): Promise<KnowledgeBase> {
    if (this.#opening) return this.#opening;
    const opening = import('../knowledge-base.js').then(async ({ KnowledgeBase }) => {
      const kb = await KnowledgeBase.open(this.options);
      try {
        await this.onOpen(kb);
      } catch (error) {
        await kb.close();
        throw error;
      }
      return kb;
    });
    this.#opening = opening;
    opening.catch(() => {
      if (this.#opening === opening) this.#opening = undefined;
    });
    return opening;
  }

  /** The knowledge base if it has been opened, else undefined (nothing is opened). */
  ifOpen(): Promise<KnowledgeBase> | undefined {
    return this.#opening;
  }

  /** Closes the knowledge base if it was ever opened. */
  async close(): Promise<void> {
    const opening = this.#opening;
    this.#opening = undefined;
    const kb = await opening?.catch(() => undefined);
    await kb?.close();
  }
}
