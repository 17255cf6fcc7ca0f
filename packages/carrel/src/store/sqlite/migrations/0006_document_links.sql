-- The targets of an HTML document's links, kept apart from its text: the stored and indexed text
-- holds a link's text only, so URLs are neither searched nor counted, and can still be shown.
-- Rows belong to one version of the document, like chunks: written when the version is staged,
-- visible when it is live, deleted with it by the garbage collector.
CREATE TABLE document_links (
  document_id  INTEGER NOT NULL,
  version      INTEGER NOT NULL,
  ord          INTEGER NOT NULL,
  text         TEXT NOT NULL,
  href         TEXT NOT NULL,
  PRIMARY KEY (document_id, version, ord)
) WITHOUT ROWID;
