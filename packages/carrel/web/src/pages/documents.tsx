/** A library's documents, and one document's chunks. */
import { useState } from 'preact/hooks';
import { get, withQuery } from '../api.js';
import { ColumnHeads, ErrorNote, Loading } from '../components/bits.js';
import { useLoad } from '../components/load.js';
import type { DocumentSummary, DocumentView } from '../types.js';

interface Page {
  documents: DocumentSummary[];
  nextCursor?: string;
}

export function LibraryPage({ name, version }: { name: string; version: string }) {
  const path = `/libraries/${encodeURIComponent(name)}/documents`;
  const loaded = useLoad(`documents/${name}@${version}`, () => get<Page>(withQuery(path, { version, limit: 100 })));
  const [extra, setExtra] = useState<Page>({ documents: [] });
  const cursor = extra.nextCursor ?? loaded.value?.nextCursor;
  const documents = [...(loaded.value?.documents ?? []), ...extra.documents];

  async function more() {
    const page = await get<Page>(withQuery(path, { version, limit: 100, cursor }));
    setExtra((e) => ({ documents: [...e.documents, ...page.documents], nextCursor: page.nextCursor }));
  }

  return (
    <>
      <h1>{version ? `${name}@${version}` : name}</h1>
      <p>
        <a href="/dashboard/libraries">All libraries</a>
      </p>
      <ErrorNote error={loaded.error} />
      {!loaded.value ? (
        !loaded.error && <Loading what="documents" />
      ) : (
        <table role="table" class="responsive">
          <ColumnHeads labels={['Document', 'Source', 'Kind', 'Chunks']} />
          <tbody role="rowgroup">
            {documents.map((d) => (
              <tr role="row" key={d.id}>
                <td role="cell" data-label="Document">
                  <a href={`/dashboard/documents/${encodeURIComponent(d.id)}`}>{d.title}</a>
                </td>
                <td role="cell" data-label="Source" class="wrap">
                  {d.source}
                </td>
                <td role="cell" data-label="Kind">
                  {d.kind}
                </td>
                <td role="cell" data-label="Chunks">
                  {d.chunks}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {cursor && (
        <button type="button" onClick={() => void more()}>
          Show more
        </button>
      )}
    </>
  );
}

export function DocumentPage({ id }: { id: string }) {
  const loaded = useLoad(`document/${id}`, () => get<{ document: DocumentView }>(`/documents/${encodeURIComponent(id)}`));
  const doc = loaded.value?.document;
  if (!doc)
    return (
      <>
        <h1>Document</h1>
        {loaded.error ? <ErrorNote error={loaded.error} /> : <Loading what="the document" />}
      </>
    );
  return (
    <>
      <h1>{doc.title}</h1>
      <p>
        <a href={withQuery(`/dashboard/libraries/${encodeURIComponent(doc.library)}`, { version: doc.version })}>
          {doc.version ? `${doc.library}@${doc.version}` : doc.library}
        </a>{' '}
        · <span class="wrap">{doc.source}</span> · {doc.kind} · {doc.chunks.length} chunks
      </p>
      {doc.chunks.map((c) => (
        <section key={c.ord} class="panel chunk" aria-label={`Chunk ${c.ord}`}>
          <h2>{c.heading || `Chunk ${c.ord}`}</h2>
          <pre class="text">{c.text}</pre>
        </section>
      ))}
    </>
  );
}
