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

  constructor(private readonly options: KnowledgeBaseOptions) {}

  /** The open knowledge base (opening it on the first call). */
  get(): Promise<KnowledgeBase> {
    this.#opening ??= import('../knowledge-base.js').then(({ KnowledgeBase }) => KnowledgeBase.open(this.options));
    return this.#opening;
  }

  /** Closes the knowledge base if it was ever opened. */
  async close(): Promise<void> {
    const opening = this.#opening;
    this.#opening = undefined;
    if (opening) await (await opening).close();
  }
}
