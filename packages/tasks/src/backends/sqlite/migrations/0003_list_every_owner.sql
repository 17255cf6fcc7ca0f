-- Carrel tasks on SQLite, version 3: an index on `seq` alone, for the operator's list of every
-- owner's tasks (`listAcrossOwners`), which pages newest first on seq like an owner's list does on
-- (owner, seq). Without it that list would read and sort the whole table. Applied once, inside
-- BEGIN IMMEDIATE.
CREATE INDEX carrel_tasks_seq ON carrel_tasks (seq DESC);
