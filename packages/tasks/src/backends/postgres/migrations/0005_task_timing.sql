-- 0005: when a task first started and when it finished, the worker that last ran it, and the task
-- it retries. Rows stored before keep NULLs; adding nullable columns without a default rewrites
-- nothing. The index on finished_at serves queue statistics, which read the tasks finished in a
-- time window. A node still running the previous version keeps working: it never reads these
-- columns, and the tasks it finishes keep finished_at NULL (they are missing from statistics).

ALTER TABLE {{schema}}.tasks ADD COLUMN started_at bigint;
ALTER TABLE {{schema}}.tasks ADD COLUMN finished_at bigint;
ALTER TABLE {{schema}}.tasks ADD COLUMN node text;
ALTER TABLE {{schema}}.tasks ADD COLUMN retry_of text COLLATE "C";
CREATE INDEX tasks_finished ON {{schema}}.tasks (finished_at) WHERE finished_at IS NOT NULL;
