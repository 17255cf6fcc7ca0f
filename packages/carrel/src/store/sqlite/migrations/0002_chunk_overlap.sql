-- How many leading characters of a chunk repeat the end of the previous one (the chunker's
-- overlap), so a document's text can be reassembled from its chunks without duplicates.
ALTER TABLE chunks ADD COLUMN overlap INTEGER NOT NULL DEFAULT 0;
