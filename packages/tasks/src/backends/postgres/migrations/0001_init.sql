-- 0001: the tasks table, its indexes, and the function every write uses to announce a change.
-- {{schema}} is replaced with the quoted schema name when the migration runs.
-- Times are epoch milliseconds (bigint): the engine supplies "now", so every node agrees on it.

CREATE TABLE {{schema}}.tasks (
  -- Insertion order: breaks ties between tasks created in the same millisecond.
  seq bigint GENERATED ALWAYS AS IDENTITY,
  -- Byte order ("C") so that list cursors compare ids exactly as JavaScript strings do.
  id text COLLATE "C" PRIMARY KEY,
  owner text NOT NULL,
  handler text NOT NULL,
  input jsonb NOT NULL,
  status text NOT NULL CHECK (status IN ('working', 'input_required', 'completed', 'failed', 'cancelled')),
  status_message text,
  progress jsonb,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  ttl_ms bigint,
  expires_at bigint,
  poll_interval_ms integer NOT NULL,
  attempt integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL,
  run_at bigint NOT NULL,
  lease_worker text,
  lease_expires_at bigint,
  unique_key text,
  unique_until bigint,
  -- The unique key while it is held; NULL once released (terminal, window passed), while
  -- unique_key keeps showing which key the task was created with.
  unique_slot text,
  outcome jsonb,
  last_error jsonb,
  input_requests jsonb NOT NULL DEFAULT '{}',
  input_responses jsonb NOT NULL DEFAULT '{}',
  parent_id text COLLATE "C",
  meta jsonb NOT NULL DEFAULT '{}',
  CHECK ((lease_worker IS NULL) = (lease_expires_at IS NULL))
);

-- Uniqueness is the database's job: concurrent creators on any node race on this index.
CREATE UNIQUE INDEX tasks_unique_slot ON {{schema}}.tasks (owner, unique_slot) WHERE unique_slot IS NOT NULL;
CREATE INDEX tasks_claimable ON {{schema}}.tasks (run_at, created_at, seq) WHERE status = 'working' AND lease_worker IS NULL;
CREATE INDEX tasks_owner_created ON {{schema}}.tasks (owner, created_at DESC, id DESC);
CREATE INDEX tasks_live_owner ON {{schema}}.tasks (owner) WHERE status IN ('working', 'input_required');
CREATE INDEX tasks_parent ON {{schema}}.tasks (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX tasks_leased ON {{schema}}.tasks (lease_expires_at) WHERE lease_worker IS NOT NULL;
CREATE INDEX tasks_expiring ON {{schema}}.tasks (expires_at) WHERE expires_at IS NOT NULL;

-- Sends one change notice for a task (several kinds at once) and returns the payload, so the
-- writing store can deliver the same notice to its own listeners without waiting for the echo.
-- Carries ids, the owner and the status only: NOTIFY payloads must stay under 8000 bytes (the
-- engine caps owners at 256 characters and ids at 64, so a notice stays near 300 bytes).
CREATE FUNCTION {{schema}}.notify_change(channel text, origin text, kinds text[], task_id text, owner text, parent_id text, status text)
RETURNS text LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  payload text;
BEGIN
  IF kinds IS NULL OR cardinality(kinds) = 0 THEN
    RETURN NULL;
  END IF;
  payload := json_build_object('origin', origin, 'taskId', task_id, 'owner', owner, 'parentId', parent_id, 'status', status, 'kinds', kinds)::text;
  PERFORM pg_notify(channel, payload);
  RETURN payload;
END
$$;
