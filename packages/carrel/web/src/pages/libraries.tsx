/** The knowledge base: libraries with their counts and vector coverage, and a search over them. */
import { useEffect, useState } from 'preact/hooks';
import { get, withQuery } from '../api.js';
import { ColumnHeads, ErrorNote, Loading, Section } from '../components/bits.js';
import { useLoad } from '../components/load.js';
import { formatPercent } from '../format.js';
import { navigate } from '../router.js';
import type { Library, SearchResponse } from '../types.js';

export function LibrariesPage({ q, library }: { q: string; library: string }) {
  const loaded = useLoad('libraries', () => get<{ libraries: Library[] }>('/libraries'));
  const libraries = loaded.value?.libraries;
  return (
    <>
      <h1>Libraries</h1>
      <ErrorNote error={loaded.error} />
      {!libraries ? (
        !loaded.error && <Loading what="libraries" />
      ) : libraries.length === 0 ? (
        <p class="muted">
          No libraries yet. Add one with <code>carrel add</code>.
        </p>
      ) : (
        <table role="table" class="responsive">
          <ColumnHeads labels={['Library', 'Documents', 'Chunks', 'Embedder', 'Vector coverage']} />
          <tbody role="rowgroup">
            {libraries.map((l) => (
              <tr role="row" key={`${l.name}@${l.version}`}>
                <td role="cell" data-label="Library">
                  <a href={withQuery(`/dashboard/libraries/${encodeURIComponent(l.name)}`, { version: l.version })}>
                    {l.version ? `${l.name}@${l.version}` : l.name}
                  </a>
                </td>
                <td role="cell" data-label="Documents">
                  {l.documents}
                </td>
                <td role="cell" data-label="Chunks">
                  {l.chunks}
                </td>
                <td role="cell" data-label="Embedder">
                  {l.embedder ? `${l.embedder}${l.dims ? ` (${l.dims} dims)` : ''}` : 'none'}
                </td>
                <td role="cell" data-label="Vector coverage">
                  <progress max={1} value={l.vectorCoverage} aria-label={`Vector coverage of ${l.name}`} />{' '}
                  {formatPercent(l.vectorCoverage)}
                  {l.pending > 0 && <span class="muted"> ({l.pending} pending)</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Search q={q} library={library} libraries={libraries ?? []} />
    </>
  );
}

function Search({ q, library, libraries }: { q: string; library: string; libraries: Library[] }) {
  const [draft, setDraft] = useState(q);
  const [scope, setScope] = useState(library);
  useEffect(() => setDraft(q), [q]);
  useEffect(() => setScope(library), [library]);
  const found = useLoad(`search?${q}&${library}`, () =>
    q ? get<SearchResponse>(withQuery('/search', { q, library, limit: 20 })) : Promise.resolve(null),
  );
  const names = [...new Set(libraries.map((l) => l.name))];
  return (
    <Section title="Search">
      <form
        class="toolbar"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(withQuery('/libraries', { q: draft.trim(), library: scope }));
        }}
      >
        <label class="grow">
          Search the knowledge base
          <input type="search" name="q" value={draft} onInput={(e) => setDraft(e.currentTarget.value)} />
        </label>
        <label>
          Library
          <select name="library" value={scope} onChange={(e) => setScope(e.currentTarget.value)}>
            <option value="">all</option>
            {names.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Search</button>
      </form>
      <ErrorNote error={found.error} />
      {q && !found.value && !found.error && <Loading what="results" />}
      {found.value && <Results response={found.value} />}
    </Section>
  );
}

function Results({ response }: { response: SearchResponse }) {
  return (
    <>
      {response.notes.map((n, i) => (
        <p key={i} class="notice">
          {n.message}
        </p>
      ))}
      {response.results.length === 0 ? (
        <p class="muted">No results.</p>
      ) : (
        <ol class="results" aria-label="Search results">
          {response.results.map((r) => (
            <li key={r.chunkId}>
              <h3>
                <a href={`/dashboard/documents/${encodeURIComponent(r.documentId)}`}>{r.title}</a>
              </h3>
              <p class="muted">
                {r.version ? `${r.library}@${r.version}` : r.library} · {r.heading} · score {r.score.toFixed(3)}
              </p>
              <p class="snippet">{r.snippet}</p>
            </li>
          ))}
        </ol>
      )}
      <p class="muted">Mode: {response.mode}</p>
    </>
  );
}
