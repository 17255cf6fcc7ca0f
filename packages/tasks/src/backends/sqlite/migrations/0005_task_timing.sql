-- Carrel tasks on SQLite, version 5: when a task first started and when it finished, the worker
-- that last ran it, and the task it retries. Rows stored before keep NULLs. The index on finished_at
-- serves queue statistics, which read the tasks finished in a time window. Applied once, inside
-- BEGIN IMMEDIATE.
ALTER TABLE carrel_tasks ADD COLUMN started_at INTEGER;
ALTER TABLE carrel_tasks ADD COLUMN finished_at INTEGER;
ALTER TABLE carrel_tasks ADD COLUMN node TEXT;
ALTER TABLE carrel_tasks ADD COLUMN retry_of TEXT;
CREATE INDEX carrel_tasks_finished ON carrel_tasks (finished_at) WHERE finished_at IS NOT NULL;
