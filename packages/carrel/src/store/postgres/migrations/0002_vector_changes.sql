-- 0002: which chunks entered or left each library's live vectors at each vector generation, so a
-- node whose copy of a library's vectors is behind reads only what changed since (vector-cache.ts)
-- instead of the whole library (~384 MB at 1M vectors). Touches only what it adds, so the pgvector
-- step (pgvector.ts, not a numbered migration) may run before or after it.

-- The log holds every change at generations above this one; a copy older than it is read whole.
ALTER TABLE libraries ADD COLUMN vector_log_from bigint NOT NULL DEFAULT 0;
UPDATE libraries SET vector_log_from = vector_generation;

-- No foreign key to chunks: the chunks of a version that stopped being live are collected while
-- the entry saying they left is still needed.
CREATE TABLE vector_changes (
  library_id  bigint NOT NULL REFERENCES libraries (id) ON DELETE CASCADE,
  generation  bigint NOT NULL,
  chunk_id    bigint NOT NULL,
  PRIMARY KEY (library_id, generation, chunk_id)
);

-- Logs the chunks (with a vector) of the versions that stopped or started being live, under the
-- generation documents_live_version has just moved to: PostgreSQL fires the triggers of one
-- event in name order, and this one's name sorts after it. A statement changing more than 1,000
-- documents logs nothing and moves the log's floor instead: a copy that far behind is read whole
-- anyway, and the log stays small however large the publishes.
CREATE FUNCTION log_vector_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT count(*) FROM changed_new n JOIN changed_old o ON o.id = n.id WHERE o.live_version <> n.live_version) > 1000 THEN
    UPDATE libraries SET vector_log_from = vector_generation
    WHERE id IN (SELECT n.library_id FROM changed_new n JOIN changed_old o ON o.id = n.id WHERE o.live_version <> n.live_version);
  ELSE
    INSERT INTO vector_changes (library_id, generation, chunk_id)
    SELECT n.library_id, l.vector_generation, c.id
    FROM changed_new n JOIN changed_old o ON o.id = n.id AND o.live_version <> n.live_version
    JOIN libraries l ON l.id = n.library_id
    JOIN chunks c ON c.document_id = n.id AND c.version IN (o.live_version, n.live_version)
    JOIN chunk_vectors v ON v.chunk_id = c.id
    ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER documents_vector_changes AFTER UPDATE ON documents
  REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new
  FOR EACH STATEMENT EXECUTE FUNCTION log_vector_changes();
