-- 0003: a connector's token, sealed (AES-256-GCM, src/connectors/secret-box.ts) with
-- CARREL_SECRETS_KEY, which every node of the cluster holds and the database never does. Written
-- in the transaction that adds or changes the connector and deleted with it, so every node that
-- runs the connector's syncs reads the token it was given.
CREATE TABLE connector_secrets (
  connector_id  bigint PRIMARY KEY REFERENCES connectors (id) ON DELETE CASCADE,
  sealed        bytea NOT NULL
);
