-- Carrel tasks on SQLite, version 2: every task gets `seq`, its place in creation order, and lists
-- page on it instead of (created_at, id), which let a task created in the same millisecond as a
-- cursor's task, with a smaller random id, appear on a later page. Applied once, inside BEGIN IMMEDIATE.

-- The last seq handed out. A counter of its own rather than the rowid: SQLite may hand a deleted
-- rowid out again, and a reaped task's seq must never come back. Bumped by the insert's write
-- transaction, which holds the write lock, so seqs are taken and committed in the same order.
CREATE TABLE carrel_task_sequence (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  last INTEGER NOT NULL
) STRICT;

ALTER TABLE carrel_tasks ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;

-- Existing tasks are numbered in the order lists showed them until now.
UPDATE carrel_tasks SET seq = ordered.n
FROM (SELECT id, row_number() OVER (ORDER BY created_at, id) AS n FROM carrel_tasks) AS ordered
WHERE ordered.id = carrel_tasks.id;

INSERT INTO carrel_task_sequence (id, last) SELECT 1, coalesce(max(seq), 0) FROM carrel_tasks;

-- list: an owner's tasks, newest first, keyset-paginated on seq.
DROP INDEX carrel_tasks_list;
CREATE INDEX carrel_tasks_list ON carrel_tasks (owner, seq DESC);
