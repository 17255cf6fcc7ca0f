-- Knowledge packs (src/packs/): the pack installed in a library, with the sources of its documents
-- (a JSON array), so that an upgrade removes what the new version dropped and remove_pack removes
-- what the pack brought. A row is written only by the publish that installs the pack: a pack
-- whose install was interrupted is never listed as installed.
CREATE TABLE packs (
  library_id    INTEGER NOT NULL REFERENCES libraries(id) ON DELETE CASCADE,
  name          TEXT NOT NULL,
  version       TEXT NOT NULL,
  sha256        TEXT NOT NULL,
  sources       TEXT NOT NULL,
  installed_at  INTEGER NOT NULL,
  PRIMARY KEY (library_id, name)
);

-- The pack a staging run installs, applied by the run's publish (store/publish.ts) in the same
-- transaction as its documents; gone with the run when it is published or discarded.
CREATE TABLE run_packs (
  run_id   INTEGER PRIMARY KEY,
  name     TEXT NOT NULL,
  version  TEXT NOT NULL,
  sha256   TEXT NOT NULL,
  sources  TEXT NOT NULL
);
