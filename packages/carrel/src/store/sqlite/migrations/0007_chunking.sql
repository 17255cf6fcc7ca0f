-- The chunking plan a library's chunks were cut with (ingest/chunking.ts chunkingLabel), next to
-- the embedder its vectors come from: a different plan means a reindex rechunks the library.
-- Libraries stored before were cut by characters.
ALTER TABLE libraries ADD COLUMN chunking TEXT;
UPDATE libraries SET chunking = 'characters: 1200 (max 2400, min 600, overlap 150)';
-- A run's plan, applied to its library when it publishes (as bind_embedder is).
ALTER TABLE ingest_runs ADD COLUMN bind_chunking TEXT;
