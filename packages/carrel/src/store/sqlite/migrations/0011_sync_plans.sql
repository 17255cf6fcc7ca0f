-- A connector sync's plan, kept with its run while the run stages (src/store/sync-plans.ts): what
-- the sync's discovery listed, so that its fetch batches (child tasks, maybe in other processes,
-- maybe after a crash) read their items from here rather than from a task record, and its apply
-- commits the cursor and deletions the discovery found. Dropped when the run publishes or is discarded.
CREATE TABLE sync_plans (
  run_id        INTEGER PRIMARY KEY,
  connector_id  INTEGER NOT NULL,
  cursor        TEXT,
  complete      INTEGER NOT NULL,
  -- Sources seen unchanged: counted, nothing to fetch.
  unchanged     INTEGER NOT NULL,
  -- Items waiting to be read: ord 0 … reads - 1 of sync_plan_items.
  reads         INTEGER NOT NULL
);

-- One source of a plan. state: 'pending' (to be read by a fetch batch), 'taken' (staged, unchanged
-- or skipped for its kind: gets its version marker), 'failed' (no marker: the next sync tries it
-- again), 'gone' (deleted at the source).
CREATE TABLE sync_plan_items (
  run_id   INTEGER NOT NULL,
  ord      INTEGER NOT NULL,
  source   TEXT NOT NULL,
  version  TEXT,
  state    TEXT NOT NULL,
  PRIMARY KEY (run_id, ord)
) WITHOUT ROWID;
