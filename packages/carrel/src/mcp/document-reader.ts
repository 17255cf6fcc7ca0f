/**
 * Reading stored documents: the two `KnowledgeBase` methods `get_document`, `list_documents` and
 * `carrel docs list|show` need. They are requested from the knowledge-base core (see the CLI/MCP
 * report); until it provides them, calls fail with a message saying so rather than reading the
 * database behind the store's back.
 *
 * @module
 */
import type { KnowledgeBase } from '../knowledge-base.js';

/** One stored document, without its text. */
export interface DocumentSummary {
  id: number;
  library: string;
  version: string;
  title: string;
  source: string;
  kind: string;
  tags: string[];
  bytes: number;
  chunkCount: number;
  createdAt: number;
  updatedAt: number;
}

/** A page of a document's text (chunks joined in order), `offset`/`nextOffset` in characters. */
export interface DocumentPage extends DocumentSummary {
  content: string;
  offset: number;
  totalChars: number;
  nextOffset: number | null;
}

/** Filters and paging for listing documents. */
export interface ListDocumentsRequest {
  library?: string;
  version?: string;
  limit?: number;
  offset?: number;
}

/** The methods requested from `KnowledgeBase`. */
export interface DocumentReader {
  getDocument(id: number, page?: { offset?: number; maxChars?: number }): DocumentPage | Promise<DocumentPage>;
  listDocuments(request?: ListDocumentsRequest): { documents: DocumentSummary[]; hasMore: boolean } | Promise<{ documents: DocumentSummary[]; hasMore: boolean }>;
}

/** The knowledge base's document reader; throws when this build of the core lacks it. */
export function documentReader(kb: KnowledgeBase): DocumentReader {
  const reader = kb as unknown as Partial<DocumentReader>;
  if (typeof reader.getDocument !== 'function' || typeof reader.listDocuments !== 'function') {
    throw new Error('Reading documents needs KnowledgeBase.getDocument and listDocuments, which this build of the knowledge-base core does not have yet');
  }
  return reader as DocumentReader;
}
