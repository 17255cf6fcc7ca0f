/**
 * The planner's statistics of `chunks.search` as a node keeps them: the most common lexemes with
 * the share of chunks holding each, which the keyword retriever reads to choose the words it ranks
 * (`sql/search.ts`). ANALYZE (which autovacuum runs) writes them; between two ANALYZEs they do not
 * change, so the node reads them once and then, per search, only the table's size as ANALYZE or
 * VACUUM last recorded it (`pg_class.reltuples`, `relpages`), reading them again when that moved.
 * Read per search from `pg_stats`, the 3,000 lexemes of migration 0004 took 9.9 ms of a 41 ms
 * hybrid search at 1M chunks (bench/README.md § Stop 24).
 *
 * An ANALYZE that records exactly the size the last one did is not seen until the size moves: the
 * table did not change meanwhile, so neither did what its statistics say. Until a table has
 * statistics, every search looks for them.
 *
 * @module
 */
import type { Query } from './client.js';

/** What the statistics say about a query's terms. */
export interface TermEstimates {
  /** Per term: the chunks holding it (0 for a word the 'english' configuration drops), or null when the statistics do not list it (or one of its parts). */
  estimates: (number | null)[];
  /** The chunks holding the least common listed lexeme: about the most an unlisted one holds. Null without statistics. */
  unlistedBound: number | null;
}

interface Snapshot {
  /** `reltuples:relpages` when read. */
  size: string;
  rows: number;
  /** Lexeme → share of chunks holding it; empty without statistics. */
  shares: Map<string, number>;
  minShare: number | null;
}

/** See module comment. */
export class TermStatistics {
  #snapshot: Promise<Snapshot> | undefined;

  constructor(private readonly query: Query) {}

  /** The estimates for `terms`, in order. */
  async estimate(terms: readonly string[]): Promise<TermEstimates> {
    const [row] = await this.query<{ lexemes: string[][]; rows: number; size: string }>(
      `SELECT (SELECT json_agg(tsvector_to_array(to_tsvector('english', u.t)) ORDER BY u.i) FROM unnest($1::text[]) WITH ORDINALITY AS u(t, i)) AS lexemes,
              c.reltuples::float8 AS rows, c.reltuples::text || ':' || c.relpages AS size
       FROM pg_class c WHERE c.oid = 'chunks'::regclass`,
      [[...terms]],
    );
    const { lexemes, rows, size } = row!;
    let snapshot = await this.#snapshot;
    // A snapshot without statistics is not kept: a VACUUM may record the size the ANALYZE after it does.
    if (snapshot?.size !== size || snapshot.minShare === null) {
      this.#snapshot = this.read(rows, size).catch((err: unknown) => {
        this.#snapshot = undefined;
        throw err;
      });
      snapshot = await this.#snapshot;
    }
    const { shares, minShare } = snapshot;
    const count = (share: number) => Math.max(1, Math.round(share * snapshot.rows));
    return {
      estimates: lexemes.map((parts) => {
        if (parts.length === 0) return 0;
        // A word the parser splits (`snake_case`: `snake`, `case`) matches as a phrase, in no
        // more chunks than its least common part; one unlisted part makes it unlisted.
        const partShares = parts.map((lexeme) => shares.get(lexeme));
        return partShares.every((share) => share !== undefined) ? count(Math.min(...partShares)) : null;
      }),
      unlistedBound: minShare === null ? null : count(minShare),
    };
  }

  private async read(rows: number, size: string): Promise<Snapshot> {
    const [stats] = await this.query<{ elems: string[]; freqs: number[] }>(
      `SELECT most_common_elems::text::text[] AS elems, most_common_elem_freqs AS freqs
       FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'chunks' AND attname = 'search' AND most_common_elems IS NOT NULL`,
    );
    // Without a row the table was never analysed (or emptied since: its size is then unknown).
    if (!stats || !(rows > 0)) return { size, rows, shares: new Map(), minShare: null };
    // most_common_elem_freqs holds one share per listed lexeme, then their minimum, maximum, and the share of nulls.
    return {
      size,
      rows,
      shares: new Map(stats.elems.map((lexeme, i) => [lexeme, stats.freqs[i]!])),
      minShare: stats.freqs[stats.elems.length]!,
    };
  }
}
