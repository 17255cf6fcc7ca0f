-- 0004: each owner's task-creation bucket (tokens left, when counted), in the database so that every
-- node of a cluster spends from one bucket per owner: the rate limit holds for the cluster, not per
-- node. A node still running the previous version keeps its buckets in memory, as before.

CREATE TABLE {{schema}}.rate_buckets (
  owner text PRIMARY KEY,
  tokens double precision NOT NULL,
  at bigint NOT NULL
);
