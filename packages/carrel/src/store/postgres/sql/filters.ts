/**
 * The search filters as a SQL condition on `d` (documents) and `l` (libraries), with numbered
 * parameters: the PostgreSQL twin of `filterClause` in `../../search-queries.ts`, applied by both
 * retrievers before they cut their candidates.
 *
 * @module
 */
import type { SearchFilters } from '../../repository.js';

/** A condition with its parameters, numbered from the `first` the caller gave. */
export interface FilterClause {
  sql: string;
  params: unknown[];
  /** Whether it restricts more than the library (so the KNN needs a chunk allowlist). */
  beyondLibrary: boolean;
}

/** The condition for `filters`, its first parameter `$first`. */
export function filterClause(filters: SearchFilters, first: number): FilterClause {
  const parts: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${first + params.length - 1}`;
  };
  if (filters.library !== undefined) parts.push(`l.name = ${param(filters.library)}`);
  if (filters.version !== undefined) parts.push(`l.version = ${param(filters.version)}`);
  const libraryOnly = parts.length;
  if (filters.kind !== undefined) parts.push(`d.kind = ${param(filters.kind)}`);
  // A range in byte order (sources are COLLATE "C") rather than LIKE, so it walks the
  // (library_id, source) index; U+10FFFF sorts after any character a source can continue with.
  if (filters.source !== undefined) {
    parts.push(`d.source >= ${param(filters.source)} AND d.source < ${param(`${filters.source}\u{10FFFF}`)}`);
  }
  if (filters.tags && filters.tags.length > 0) {
    const tags = [...new Set(filters.tags)];
    parts.push(
      `d.id IN (SELECT document_id FROM document_tags WHERE tag = ANY(${param(tags)}::text[]) GROUP BY document_id HAVING count(*) = ${param(tags.length)})`,
    );
  }
  if (filters.minRating !== undefined) {
    parts.push(`d.id IN (SELECT document_id FROM ratings GROUP BY document_id HAVING avg(rating) >= ${param(filters.minRating)})`);
  }
  return { sql: parts.length > 0 ? parts.join(' AND ') : 'true', params, beyondLibrary: parts.length > libraryOnly };
}
