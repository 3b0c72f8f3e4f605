-- Message text encrypted at rest (issue 22): from this version on the writers store messages.body and html sealed
-- with the data key of the conversation's contact (server/domain/message-store.ts), so the search index beside them
-- can no longer be computed by the database from the stored columns. search_vector stops being generated: it becomes
-- a plain stored tsvector and keeps every existing row's value. For a sealed row the writer computes it in the same
-- statement with blind_search_document() (migration 0040) from the plaintext and the blind index's pads, passed as
-- parameters and never stored; the rows from before stay plaintext until `npm run privacy:encrypt-existing` seals
-- them, and keep their plain words, which the trigger below keeps current for any plaintext write.
ALTER TABLE "messages" ALTER COLUMN "search_vector" DROP EXPRESSION;
--> statement-breakpoint
-- The tokens of a sealed row's digit runs (blind_mention_tokens(), migration 0040): the phone arm of the search box
-- and erasure's mention finding, where mention_digits() serves the plaintext rows.
ALTER TABLE "messages" ADD COLUMN "mention_tokens" text[] DEFAULT '{}' NOT NULL;
--> statement-breakpoint
CREATE INDEX "messages_mention_tokens" ON "messages" USING gin ("mention_tokens");
--> statement-breakpoint
-- A sealed body's base64 holds digit runs that would falsely match a phone search: such a row has no digits here.
-- Every existing row is plaintext (nothing wrote a sealed body before this migration), so the expression index
-- messages_mention_digits (migration 0015) holds exactly what this function gives for it and needs no rebuild.
CREATE OR REPLACE FUNCTION mention_digits(body text, html text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN body LIKE 'pdk:%' THEN '' ELSE
    regexp_replace(left(coalesce(body, '') || ' ' || coalesce(html, ''), 200000), '[^0-9]+', '', 'g') END
$$;
--> statement-breakpoint
-- A plaintext row (from before, or written by a path that stores plaintext) keeps the plain words the generated
-- column gave it, recomputed when its text changes; a sealed row's index entries are the writer's, never computed
-- here (the database cannot read the text).
CREATE FUNCTION messages_plain_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.body NOT LIKE 'pdk:%' THEN
    NEW.search_vector := search_document(NEW.language, NEW.body, NEW.html);
    NEW.mention_tokens := '{}';
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER messages_plain_search_vector BEFORE INSERT OR UPDATE OF body, html, language ON messages
  FOR EACH ROW EXECUTE FUNCTION messages_plain_search_vector();
