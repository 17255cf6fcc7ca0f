-- Carrel tasks on SQLite, version 4: each owner's task-creation bucket (tokens left, when counted),
-- in the database so that every process on it (servers, the CLI) spends from one bucket per owner.
-- Applied once, inside BEGIN IMMEDIATE.
CREATE TABLE carrel_rate_buckets (
  owner TEXT PRIMARY KEY,
  tokens REAL NOT NULL,
  at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
