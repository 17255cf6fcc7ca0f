-- 0001: the knowledge base on PostgreSQL, the same model as the SQLite migrations 0001-0011 (see
-- src/store/migrations/ for why each table exists): libraries, documents written in versions by
-- runs, chunks with a weighted tsvector, int8 vectors as bytea, ratings, packs, connectors.
-- Runs with search_path set to the knowledge base's schema, so names are unqualified.
-- Times are epoch milliseconds (bigint). Text that is listed in order is COLLATE "C": byte order,
-- as SQLite and JavaScript compare.

CREATE TABLE libraries (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name               text COLLATE "C" NOT NULL,
  version            text COLLATE "C" NOT NULL DEFAULT '',
  embedder           text,
  dims               integer,
  chunking           text,
  created_at         bigint NOT NULL,
  updated_at         bigint NOT NULL,
  -- The run that created it while that run has not published: the library is hidden until then.
  pending_run        bigint,
  -- Moves whenever the set of live vectors of the library may have changed (a version went live
  -- or stopped being live, vectors were dropped): every node's in-memory copy of the library's
  -- vectors compares it before a KNN and re-reads the copy when it moved (vector-cache.ts).
  vector_generation  bigint NOT NULL DEFAULT 0,
  UNIQUE (name, version)
);

CREATE TABLE documents (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  library_id    bigint NOT NULL REFERENCES libraries (id) ON DELETE CASCADE,
  source        text COLLATE "C" NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('raw', 'file', 'url')),
  title         text NOT NULL,
  content_hash  text NOT NULL,
  bytes         bigint NOT NULL,
  chunk_count   integer NOT NULL,
  page_kind     text NOT NULL DEFAULT 'content' CHECK (page_kind IN ('content', 'toc')),
  -- 0 = no live version (first written by a run that has not published, or deleted).
  live_version  bigint NOT NULL DEFAULT 0,
  created_at    bigint NOT NULL,
  updated_at    bigint NOT NULL,
  UNIQUE (library_id, source)
);
CREATE INDEX documents_unpublished ON documents (id) WHERE live_version = 0;

-- One statement's changes of live versions move their libraries' vector generation once, however
-- many documents it changed: no write path can forget it, and a publish of 10,000 documents
-- updates each library row once.
CREATE FUNCTION bump_vector_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE libraries SET vector_generation = vector_generation + 1
  WHERE id IN (SELECT n.library_id FROM changed_new n JOIN changed_old o ON o.id = n.id WHERE o.live_version <> n.live_version);
  RETURN NULL;
END;
$$;
CREATE TRIGGER documents_live_version AFTER UPDATE ON documents
  REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new
  FOR EACH STATEMENT EXECUTE FUNCTION bump_vector_generation();

CREATE TABLE document_tags (
  tag          text COLLATE "C" NOT NULL,
  document_id  bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
  PRIMARY KEY (tag, document_id)
);
CREATE INDEX document_tags_document ON document_tags (document_id);

CREATE TABLE chunks (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  document_id  bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
  version      bigint NOT NULL,
  ord          integer NOT NULL,
  heading      text NOT NULL,
  text         text NOT NULL,
  overlap      integer NOT NULL DEFAULT 0,
  lead         text,
  trail        text,
  embedded     boolean NOT NULL DEFAULT false,
  -- The keyword index: the heading weighted A, the text B (FTS5's bm25 weights 2 and 1 there).
  search       tsvector GENERATED ALWAYS AS (
                 setweight(to_tsvector('english', heading), 'A') || setweight(to_tsvector('english', text), 'B')
               ) STORED
);
CREATE INDEX chunks_document ON chunks (document_id, version, ord);
CREATE INDEX chunks_unembedded ON chunks (document_id) WHERE NOT embedded;
CREATE INDEX chunks_search ON chunks USING gin (search);

-- int8 vectors, one byte per dimension, apart from the chunk text so that loading a library's
-- vectors into a node reads only these rows. Deleted with their chunk.
CREATE TABLE chunk_vectors (
  chunk_id   bigint PRIMARY KEY REFERENCES chunks (id) ON DELETE CASCADE,
  dims       integer NOT NULL,
  embedding  bytea NOT NULL CHECK (length(embedding) = dims)
);
-- Every dimension vectors were ever stored with (hasVectors).
CREATE TABLE vector_dims (
  dims  integer PRIMARY KEY
);

CREATE TABLE ratings (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  document_id  bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
  chunk_id     bigint REFERENCES chunks (id) ON DELETE SET NULL,
  rating       integer NOT NULL CHECK (rating BETWEEN 1 AND 5),
  comment      text,
  created_at   bigint NOT NULL
);
CREATE INDEX ratings_document ON ratings (document_id);

CREATE TABLE ingest_runs (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  task_id        text,
  library_id     bigint NOT NULL,
  state          text NOT NULL CHECK (state IN ('staging', 'published', 'discarded')),
  bind_embedder  text,
  bind_dims      integer,
  bind_chunking  text,
  rebind         boolean NOT NULL DEFAULT false,
  holder         text NOT NULL DEFAULT '',
  created_at     bigint NOT NULL,
  heartbeat_at   bigint NOT NULL
);
CREATE INDEX ingest_runs_staging ON ingest_runs (heartbeat_at) WHERE state = 'staging';
CREATE UNIQUE INDEX ingest_runs_task ON ingest_runs (task_id) WHERE state = 'staging' AND task_id IS NOT NULL;

CREATE TABLE document_stages (
  version       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id        bigint NOT NULL REFERENCES ingest_runs (id) ON DELETE CASCADE,
  document_id   bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
  status        text NOT NULL CHECK (status IN ('created', 'updated', 'copy')),
  base_version  bigint NOT NULL,
  kind          text NOT NULL,
  title         text NOT NULL,
  content_hash  text NOT NULL,
  bytes         bigint NOT NULL,
  tags          text[] NOT NULL,
  page_kind     text NOT NULL,
  chunk_count   integer NOT NULL,
  chunks_without_vectors integer NOT NULL,
  complete      boolean NOT NULL,
  UNIQUE (run_id, document_id)
);
CREATE INDEX document_stages_document ON document_stages (document_id);

CREATE TABLE garbage_versions (
  document_id  bigint NOT NULL,
  version      bigint NOT NULL,
  PRIMARY KEY (document_id, version)
);

CREATE TABLE document_links (
  document_id  bigint NOT NULL,
  version      bigint NOT NULL,
  ord          integer NOT NULL,
  text         text NOT NULL,
  href         text NOT NULL,
  PRIMARY KEY (document_id, version, ord)
);

CREATE TABLE packs (
  library_id    bigint NOT NULL REFERENCES libraries (id) ON DELETE CASCADE,
  name          text COLLATE "C" NOT NULL,
  version       text NOT NULL,
  sha256        text NOT NULL,
  sources       text[] NOT NULL,
  installed_at  bigint NOT NULL,
  PRIMARY KEY (library_id, name)
);

CREATE TABLE run_packs (
  run_id   bigint PRIMARY KEY,
  name     text NOT NULL,
  version  text NOT NULL,
  sha256   text NOT NULL,
  sources  text[] NOT NULL
);

CREATE TABLE connectors (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name            text COLLATE "C" NOT NULL UNIQUE,
  kind            text NOT NULL,
  library         text NOT NULL,
  version         text NOT NULL DEFAULT '',
  -- JSON text rather than jsonb: read back exactly as written.
  options         text NOT NULL,
  cursor          text,
  last_sync_at    bigint,
  last_outcome    text,
  created_at      bigint NOT NULL,
  schedule        text,
  schedule_tz     text,
  next_run_at     bigint,
  last_slot_at    bigint,
  last_slot_task  text
);
CREATE INDEX connectors_next_run ON connectors (next_run_at) WHERE next_run_at IS NOT NULL;

CREATE TABLE connector_items (
  connector_id  bigint NOT NULL REFERENCES connectors (id) ON DELETE CASCADE,
  source        text NOT NULL,
  marker        text NOT NULL,
  PRIMARY KEY (connector_id, source)
);

CREATE TABLE sync_plans (
  run_id        bigint PRIMARY KEY,
  connector_id  bigint NOT NULL,
  cursor        text,
  complete      boolean NOT NULL,
  unchanged     integer NOT NULL,
  reads         integer NOT NULL
);

CREATE TABLE sync_plan_items (
  run_id   bigint NOT NULL,
  ord      integer NOT NULL,
  source   text NOT NULL,
  version  text,
  state    text NOT NULL,
  PRIMARY KEY (run_id, ord)
);
