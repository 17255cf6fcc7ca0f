-- 0003: lists page on seq instead of (created_at, id), which let a task created in the same
-- millisecond as a cursor's task, with a smaller random id, appear on a later page.
-- seq has been an identity since 0001, so every existing row already has a key, taken in the
-- order the rows were inserted: that is creation order, and renumbering it by (created_at, id)
-- would rewrite the whole table to make it less exact. Only the index changes.
-- A node still running the previous version keeps working (it orders by created_at without the
-- index); its cursors are rejected by upgraded nodes as invalid, never misread.

DROP INDEX {{schema}}.tasks_owner_created;
CREATE INDEX tasks_owner_seq ON {{schema}}.tasks (owner, seq DESC);
