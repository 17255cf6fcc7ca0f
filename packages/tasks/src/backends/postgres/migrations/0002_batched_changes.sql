-- 0002: change notices that carry several changes, so a statement that writes many rows sends
-- one NOTIFY (or a few, each under the 8000-byte payload limit) instead of one per row.
-- Payload: {"origin": "<store instance>", "changes": [[task_id, owner, parent_id, status, kinds], ...]}.
-- notify_change (one task, 0001's format) is left as it is: a node still running the previous
-- version keeps working against this schema (it ignores the new notices and finds those changes
-- by polling until it is upgraded).

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
