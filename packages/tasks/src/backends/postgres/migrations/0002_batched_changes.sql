-- 0002: change notices that carry several changes, so a statement that writes many rows sends
-- one NOTIFY (or a few, each under the 8000-byte payload limit) instead of one per row.
-- Payload: {"origin": "<store instance>", "changes": [[task_id, owner, parent_id, status, kinds], ...]}.

-- The single-row announcer keeps its signature and now speaks the same format, byte for byte up
-- to the first change, so a listener can recognise its own echoes by prefix without parsing.
CREATE OR REPLACE FUNCTION {{schema}}.notify_change(channel text, origin text, kinds text[], task_id text, owner text, parent_id text, status text)
RETURNS text LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  payload text;
BEGIN
  IF kinds IS NULL OR cardinality(kinds) = 0 THEN
    RETURN NULL;
  END IF;
  payload := '{"origin":' || to_json(origin)::text || ',"changes":[' || json_build_array(task_id, owner, parent_id, status, kinds)::text || ']}';
  PERFORM pg_notify(channel, payload);
  RETURN payload;
END
$$;

-- Announces many changes, each already a JSON array [task_id, owner, parent_id, status, kinds],
-- packed into as few notices as fit under the payload limit. The writer builds its own
-- listeners' changes from the rows it wrote, so nothing is returned.
CREATE FUNCTION {{schema}}.notify_changes(channel text, origin text, changes text[])
RETURNS void LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  head text := '{"origin":' || to_json(origin)::text || ',"changes":[';
  body text := '';
  change text;
BEGIN
  FOREACH change IN ARRAY coalesce(changes, '{}'::text[]) LOOP
    IF body <> '' AND octet_length(head) + octet_length(body) + octet_length(change) + 3 > 7900 THEN
      PERFORM pg_notify(channel, head || body || ']}');
      body := '';
    END IF;
    body := CASE WHEN body = '' THEN change ELSE body || ',' || change END;
  END LOOP;
  IF body <> '' THEN
    PERFORM pg_notify(channel, head || body || ']}');
  END IF;
END
$$;
