-- Connector schedules (see src/connectors/schedule.ts and src/app/scheduler.ts). A cron library
-- only computes times; these columns decide who runs a slot: a process claims the slot due in
-- `next_run_at` by moving it forward with a compare-and-set on its old value, so of several
-- processes on this file exactly one wins each slot.
ALTER TABLE connectors ADD COLUMN schedule TEXT;
-- An IANA time zone the cron expression is read in; null = UTC.
ALTER TABLE connectors ADD COLUMN schedule_tz TEXT;
-- The next slot not yet claimed (ms since the epoch); null without a schedule.
ALTER TABLE connectors ADD COLUMN next_run_at INTEGER;
-- The slot last claimed, and the sync task started (or joined) for it.
ALTER TABLE connectors ADD COLUMN last_slot_at INTEGER;
ALTER TABLE connectors ADD COLUMN last_slot_task TEXT;

CREATE INDEX connectors_next_run ON connectors (next_run_at) WHERE next_run_at IS NOT NULL;
