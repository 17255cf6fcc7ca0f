-- Carrel tasks on SQLite, version 1: the task table and the change feed.
-- Times are epoch milliseconds; JSON values are TEXT. Applied once, inside BEGIN IMMEDIATE.

CREATE TABLE carrel_tasks (
  id               TEXT    PRIMARY KEY,
  owner            TEXT    NOT NULL,
  handler          TEXT    NOT NULL,
  input            TEXT    NOT NULL,
  status           TEXT    NOT NULL CHECK (status IN ('working', 'input_required', 'completed', 'failed', 'cancelled')),
  status_message   TEXT,
  progress         TEXT,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  ttl_ms           INTEGER,
  expires_at       INTEGER,
  poll_interval_ms INTEGER NOT NULL,
  attempt          INTEGER NOT NULL DEFAULT 0,
  max_attempts     INTEGER NOT NULL,
  run_at           INTEGER NOT NULL,
  lease_worker     TEXT,
  lease_expires_at INTEGER,
  unique_key       TEXT,
  unique_until     INTEGER,
  -- The unique key while it is held, NULL once released (terminal, window passed). Uniqueness is
  -- this column's constraint, so two processes inserting at once cannot both win.
  unique_slot      TEXT,
  outcome          TEXT,
  last_error       TEXT,
  input_requests   TEXT    NOT NULL DEFAULT '{}',
  input_responses  TEXT    NOT NULL DEFAULT '{}',
  parent_id        TEXT,
  meta             TEXT    NOT NULL DEFAULT '{}'
) STRICT;

CREATE UNIQUE INDEX carrel_tasks_unique_slot ON carrel_tasks (owner, unique_slot) WHERE unique_slot IS NOT NULL;

-- list: an owner's tasks, newest first, keyset-paginated.
CREATE INDEX carrel_tasks_list ON carrel_tasks (owner, created_at DESC, id DESC);

-- maxLivePerOwner: count one owner's live tasks without walking the terminal ones kept for their TTL.
CREATE INDEX carrel_tasks_owner_status ON carrel_tasks (owner, status);

-- claim: claimable tasks in the order they become due. Partial, so leased and finished tasks
-- leave it: it stays small and a completion writes no page of it.
CREATE INDEX carrel_tasks_claim ON carrel_tasks (run_at, created_at) WHERE status = 'working' AND lease_worker IS NULL;

-- rescueExpiredLeases.
CREATE INDEX carrel_tasks_lease_expiry ON carrel_tasks (lease_expires_at) WHERE lease_worker IS NOT NULL;

-- reapExpired.
CREATE INDEX carrel_tasks_expiry ON carrel_tasks (expires_at) WHERE expires_at IS NOT NULL;

-- cancel cascade and list by parent.
CREATE INDEX carrel_tasks_parent ON carrel_tasks (parent_id) WHERE parent_id IS NOT NULL;

-- The change feed: one row per committed change, read by other processes' pollers (seq > last
-- seen) and pruned after a minute. AUTOINCREMENT so a pruned seq is never handed out again.
CREATE TABLE carrel_task_changes (
  seq       INTEGER PRIMARY KEY AUTOINCREMENT,
  task_id   TEXT    NOT NULL,
  owner     TEXT    NOT NULL,
  parent_id TEXT,
  status    TEXT    NOT NULL,
  kind      TEXT    NOT NULL,
  at        INTEGER NOT NULL
) STRICT;
