-- Every write of documents is a run: its documents are staged (written with their chunks, FTS
-- entries and vectors, but invisible) in short transactions, then published all at once in one
-- transaction that can also complete the run's task. A cancelled or crashed run is discarded and
-- leaves the library as it was. A chunk belongs to one version of its document; it is visible
-- when that version is the document's live one (chunks.version = documents.live_version).

CREATE TABLE ingest_runs (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  -- The task the run works for: a re-run of the task (after a crash) resumes its staging run.
  task_id        TEXT,
  library_id     INTEGER NOT NULL,
  state          TEXT NOT NULL CHECK (state IN ('staging', 'published', 'discarded')),
  -- The embedder binding the run's vectors need; applied to the library when the run publishes.
  bind_embedder  TEXT,
  bind_dims      INTEGER,
  -- Whether publishing may replace another binding (a reindex that switches models).
  rebind         INTEGER NOT NULL DEFAULT 0,
  created_at     INTEGER NOT NULL,
  -- The process writing it (host:pid): a run with no task whose process is gone was abandoned.
  holder         TEXT NOT NULL DEFAULT '',
  -- Moved by every staging write; a run with no task whose writes stopped long ago was abandoned.
  heartbeat_at   INTEGER NOT NULL
);
CREATE INDEX ingest_runs_staging ON ingest_runs (heartbeat_at) WHERE state = 'staging';
CREATE UNIQUE INDEX ingest_runs_task ON ingest_runs (task_id) WHERE state = 'staging' AND task_id IS NOT NULL;

-- 0 = no live version (a document first written by a run that has not published, or deleted).
-- What was stored before this migration is version 1 of each document.
ALTER TABLE documents ADD COLUMN live_version INTEGER NOT NULL DEFAULT 0;
UPDATE documents SET live_version = 1;

ALTER TABLE chunks ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
UPDATE chunks SET version = 1;
DROP INDEX chunks_document;
CREATE INDEX chunks_document ON chunks (document_id, version, ord);

-- A library created by a run stays hidden until that run publishes, and goes if it is discarded.
ALTER TABLE libraries ADD COLUMN pending_run INTEGER;

-- One staged version of a document (its id is the version its chunks carry) with its header as
-- it will be once published. A document has at most one staged version per run.
CREATE TABLE document_stages (
  version       INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id        INTEGER NOT NULL REFERENCES ingest_runs (id) ON DELETE CASCADE,
  document_id   INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
  -- 'created' / 'updated': new content; 'copy': the same content re-embedded (reindex), applied
  -- only if the document's live version is still `base_version`.
  status        TEXT NOT NULL CHECK (status IN ('created', 'updated', 'copy')),
  base_version  INTEGER NOT NULL,
  kind          TEXT NOT NULL,
  title         TEXT NOT NULL,
  content_hash  TEXT NOT NULL,
  bytes         INTEGER NOT NULL,
  tags          TEXT NOT NULL,
  chunk_count   INTEGER NOT NULL,
  chunks_without_vectors INTEGER NOT NULL,
  -- 0 while a streamed document is still being appended.
  complete      INTEGER NOT NULL,
  UNIQUE (run_id, document_id)
);
CREATE INDEX document_stages_document ON document_stages (document_id);
-- Version 1 is what was stored before this migration: new versions start after it.
INSERT INTO sqlite_sequence (name, seq) VALUES ('document_stages', 1);

-- Versions whose chunks are to be deleted (replaced, discarded or deleted), in bounded batches.
CREATE TABLE garbage_versions (
  document_id  INTEGER NOT NULL,
  version      INTEGER NOT NULL,
  PRIMARY KEY (document_id, version)
) WITHOUT ROWID;

-- Documents without a live version: found by the collector once nothing refers to them.
CREATE INDEX documents_unpublished ON documents (id) WHERE live_version = 0;
