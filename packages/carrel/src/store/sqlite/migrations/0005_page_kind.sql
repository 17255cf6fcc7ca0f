-- What kind of page a document is (see ingest/page-kind.ts): 'content', or 'toc' for a table of
-- contents, which search ranks lower. Index, search and 404 pages and source twins are never
-- stored, so only these two kinds appear here. Documents stored before this column existed are
-- content until they are re-ingested.
ALTER TABLE documents ADD COLUMN page_kind TEXT NOT NULL DEFAULT 'content' CHECK (page_kind IN ('content', 'toc'));
ALTER TABLE document_stages ADD COLUMN page_kind TEXT NOT NULL DEFAULT 'content';
