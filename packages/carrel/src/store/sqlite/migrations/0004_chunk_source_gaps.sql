-- The source text around each chunk, as the chunker records it (Chunk.lead and Chunk.trail), so
-- a document reads back exactly as it was chunked: for each chunk in ord order, lead + the text
-- after its overlap + trail. `lead` is the source between the previous chunk's text and this
-- one's (blank lines, heading lines, blanks dropped at a cut); `trail` is the source after the
-- last chunk, '' on the others. NULL on chunks written before these columns existed: those read
-- back the old way, with a blank line between chunks and headings rebuilt from the breadcrumbs.
ALTER TABLE chunks ADD COLUMN lead TEXT;
ALTER TABLE chunks ADD COLUMN trail TEXT;
