/**
 * The Carrel knowledge base as a library: open it in a data folder, index text, search it. Run by
 * packages/tasks/test/docs-examples.test.ts; quoted in docs/knowledge-base.md.
 *
 * @module
 */
//#region open
import { KnowledgeBase, type SearchResponse } from 'carrel';

export async function main(dataDir: string): Promise<{ response: SearchResponse; progress: string[] }> {
  const kb = await KnowledgeBase.open({
    dataDir, // default: CARREL_DATA_DIR, then the per-user data folder
    embedder: { kind: 'offline' }, // no download; 'local' (the default), 'openai' or 'none' otherwise
    allowedRoots: [dataDir], // folders ingestFile and ingestDirectory may read (default: the working directory)
  });
  try {
    const progress: string[] = [];
    await kb.ingestContent(
      { library: 'handbook', title: 'Leave', content: '# Leave\n\nRequest leave two weeks ahead in the HR portal.' },
      { onProgress: (current, total, message) => progress.push(`${current}/${total} ${message}`) }, // also takes `signal`
    );
    const response = await kb.search({ query: 'how do I request leave', library: 'handbook', limit: 5 }); // BM25 + vectors
    return { response, progress };
  } finally {
    await kb.close(); // waits for queued jobs, stops the ingest worker, closes the database
  }
}
//#endregion
