-- Erasure finds a person's mentions in other people's messages through indexes instead of reading every
-- message (server/privacy/mention-index.ts):
--   words: messages.search_vector (0021/0022), every word of the text and its HTML copy unstemmed ('simple':
--     the parser drops tags and entities, so "<b>Ada</b>&nbsp;Lovelace" gives ada, lovelace). Names, email
--     addresses and other literal identifiers are looked up as words (their exact spellings are then checked
--     in JS, as before).
--   mention_digits: the digits of the text alone, trigram-indexed, so a phone number written in any format
--     (+49 154 9131 5660, 0154-9131-5660, (0154) 91315660) is a substring search for its national digits.
-- Both read at most MENTION_TEXT_CAP characters (to_tsvector refuses more than 1 MB); the rare longer
-- messages are always candidates (messages_long_text), so nothing beyond the cap is missed.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE FUNCTION mention_digits(body text, html text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT regexp_replace(left(coalesce(body, '') || ' ' || coalesce(html, ''), 200000), '[^0-9]+', '', 'g')
$$;
--> statement-breakpoint
CREATE INDEX messages_mention_digits ON messages USING gin (mention_digits(body, html) gin_trgm_ops);
--> statement-breakpoint
CREATE INDEX messages_long_text ON messages (id) WHERE length(body) + length(coalesce(html, '')) > 199999;
