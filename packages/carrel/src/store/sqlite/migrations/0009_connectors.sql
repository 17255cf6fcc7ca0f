-- Connectors: configured sources (a folder, a git repository, …) that a sync keeps a library in
-- step with (see src/connectors/). Options never hold a secret: tokens live in a file of their
-- own under the data dir (src/connectors/secrets.ts). AUTOINCREMENT: an id is never reused, so a
-- new connector never inherits a removed one's secret or clone cache.
CREATE TABLE connectors (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  name          TEXT NOT NULL UNIQUE,
  kind          TEXT NOT NULL,
  library       TEXT NOT NULL,
  version       TEXT NOT NULL DEFAULT '',
  options       TEXT NOT NULL,
  -- Committed by a sync's publish, in the transaction that makes its documents live.
  cursor        TEXT,
  last_sync_at  INTEGER,
  last_outcome  TEXT,
  created_at    INTEGER NOT NULL
);

-- The sources a connector brought into its library, each with the connector's version marker
-- (mtime and size, a blob id): what a sync compares against, and exactly what it may delete.
CREATE TABLE connector_items (
  connector_id  INTEGER NOT NULL REFERENCES connectors (id) ON DELETE CASCADE,
  source        TEXT NOT NULL,
  marker        TEXT NOT NULL,
  PRIMARY KEY (connector_id, source)
) WITHOUT ROWID;
