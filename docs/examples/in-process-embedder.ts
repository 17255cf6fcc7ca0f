/**
 * An application's own embedder, called in-process for ingest and search. Run by
 * packages/tasks/test/docs-examples.test.ts; quoted in docs/knowledge-base.md.
 *
 * @module
 */
//#region embedder
import { KnowledgeBase, type InProcessEmbedder, type LibraryRecord, type SearchResponse } from 'carrel';

// Any model the application already runs; here a toy that counts the letters a–z.
const letterCounts: InProcessEmbedder = {
  name: 'letter-counts-v1', // recorded per library (as app:letter-counts-v1): a new name means a reindex
  dims: 26, // every vector must have this length
  async embed(texts, signal) {
    signal?.throwIfAborted(); // fires when the ingest or reindex is cancelled
    return texts.map((text) => {
      const vector = new Float32Array(26);
      for (const c of text.toLowerCase()) if (c >= 'a' && c <= 'z') vector[c.charCodeAt(0) - 97]! += 1;
      return vector; // normalized by Carrel; a wrong count, length or a NaN fails the ingest with this embedder's name
    });
  },
};

export async function main(dataDir: string): Promise<{ response: SearchResponse; libraries: LibraryRecord[] }> {
  const kb = await KnowledgeBase.open({ dataDir, embedder: letterCounts });
  try {
    await kb.ingestContent({ library: 'zoo', title: 'Zebras', content: '# Zebras\n\nZebras have black and white stripes.' });
    const response = await kb.search({ query: 'striped zebra', library: 'zoo' }); // the query is embedded on this thread too
    return { response, libraries: await kb.listLibraries() };
  } finally {
    await kb.close();
  }
}
//#endregion
