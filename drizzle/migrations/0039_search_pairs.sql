-- Phrase search (bench:search): a quoted phrase of common words was the one slow query kind. The word index can only
-- give the messages holding all of a phrase's words (tens or hundreds of thousands at 1,000,000 messages when the
-- words are common), and PostgreSQL then reads each one to check the words' positions. The search vector now also
-- holds each pair of adjacent words ('simple', unstemmed) as one lexeme "first second", with a space no parsed word
-- can contain; a phrase is searched as its words in order AND its pairs, so the index gives the messages that hold
-- the pairs, nearly always exactly the phrase's messages, and the position check reads only those.
--
-- Bounds: words longer than 40 bytes make no pairs (a phrase with one is checked without them). A text over 300 kB,
-- or whose pairs would bring its vector near PostgreSQL's 1 MB limit for a tsvector, gets no pairs but the lexeme
-- " long" (a leading space: no parsed word), and a phrase is searched as "its pairs, or long", so such texts stay
-- candidates: nothing is missed, they are only checked the slow way.
-- Cost (bench:ingest, back to back at load 6): PostgreSQL CPU per ingested message 275 -> 346 µs (all CPU 482 -> 537):
-- the pairs (~45 µs) and their index entries. Redaction and erasure rewrite body and html, so the column drops their
-- pairs with them.
CREATE FUNCTION search_pairs(words tsvector) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  WITH w AS (SELECT lexeme, unnest(positions) AS p FROM unnest(words) WHERE octet_length(lexeme) <= 40)
  SELECT coalesce(array_to_tsvector(array_agg(DISTINCT a.lexeme || ' ' || b.lexeme)), ''::tsvector)
  FROM w AS a JOIN w AS b ON b.p = a.p + 1
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION search_document(language text, body text, html text) RETURNS tsvector
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  t text := left(coalesce(body, '') || ' ' || coalesce(html, ''), 200000);
  cfg regconfig := public.search_config(language);
  words tsvector := to_tsvector('simple'::regconfig, t);
  doc tsvector := words;
  pairs tsvector;
BEGIN
  IF cfg <> 'simple'::regconfig THEN
    doc := words || to_tsvector(cfg, t);
  END IF;
  IF octet_length(t) <= 300000 THEN
    pairs := public.search_pairs(words);
    IF pg_column_size(doc) + pg_column_size(pairs) <= 900000 THEN
      RETURN doc || pairs;
    END IF;
  END IF;
  RETURN doc || array_to_tsvector(ARRAY[' long']);
END
$$;
--> statement-breakpoint
-- A generated column keeps the values computed with the old function: dropped and added again, every stored vector
-- is computed anew (one rewrite of the table, no trigger fires), and its index with it.
ALTER TABLE "messages" DROP COLUMN "search_vector";
--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "search_vector" "tsvector" GENERATED ALWAYS AS (search_document(language, body, html)) STORED;
--> statement-breakpoint
CREATE INDEX "messages_search_vector" ON "messages" USING gin ("search_vector");
