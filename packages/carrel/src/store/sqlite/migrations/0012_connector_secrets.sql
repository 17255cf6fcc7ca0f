-- A connector's token, sealed (AES-256-GCM, src/connectors/secret-box.ts) with a key the database
-- never holds: the data dir's key file, or CARREL_SECRETS_KEY. Written in the transaction that
-- adds or changes the connector and deleted with it, so a connector never exists without the
-- token it was given, nor a token without its connector. Replaces the data dir's secrets.json,
-- which opening imports once (src/connectors/legacy-secrets.ts).
CREATE TABLE connector_secrets (
  connector_id  INTEGER PRIMARY KEY REFERENCES connectors (id) ON DELETE CASCADE,
  sealed        BLOB NOT NULL
);
