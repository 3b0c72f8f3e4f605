-- Blinded search index (issue 22, server/domain/search-blind.ts): with message text encrypted, a plaintext tsvector
-- in a backup would give the text back (every word with its positions). These functions keep PostgreSQL's own parsing
-- (search_document(): the same 'simple' words, stems and word pairs as today) but replace every lexeme by a keyed
-- token, HMAC-SHA256 under the blind index's 'word' subkey, truncated to 96 bits, base64 (16 characters). Positions are
-- kept, so phrases (<->) and the word pairs still work. The key never reaches the database's storage: the writer
-- passes it as the two HMAC pads (bytea parameters, with the plaintext, in the same statement), and the query side
-- computes the same tokens in JS. HMAC(k, m) = sha256((k xor opad) || sha256((k xor ipad) || m)), with the built-in
-- sha256(): no extension, so PGlite computes it too.
CREATE FUNCTION search_token(lexeme text, ipad bytea, opad bytea) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT encode(substring(sha256(opad || sha256(ipad || convert_to(lexeme, 'UTF8'))) FROM 1 FOR 12), 'base64')
$$;
--> statement-breakpoint
-- The text form is the one constructor of a tsvector with positions; tokens are base64, so no quoting is needed.
-- search_token()'s expression is written out here and below: PostgreSQL does not inline the call, and calling it per
-- lexeme doubled the cost of the whole function (bench:searchindex).
CREATE FUNCTION blind_tsvector(doc tsvector, ipad bytea, opad bytea) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(string_agg(''''
    || encode(substring(sha256(opad || sha256(ipad || convert_to(lexeme, 'UTF8'))) FROM 1 FOR 12), 'base64')
    || '''' || coalesce(':' || array_to_string(positions, ','), ''), ' ')::tsvector, ''::tsvector)
  FROM unnest(doc)
$$;
--> statement-breakpoint
CREATE FUNCTION blind_search_document(language text, body text, html text, ipad bytea, opad bytea) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT public.blind_tsvector(public.search_document(language, body, html), ipad, opad)
$$;
--> statement-breakpoint
-- Phone numbers mentioned in a text (the search box's phone arm, erasure's mention finding): mention_digits() kept all
-- the digits of a text as one string for a substring search, which a token cannot serve. Instead each run of digits
-- and the separators people write in phone numbers ("+49 154 9131 5660", "0154-9131-5660", "(0154) 91315660") gives
-- the tokens of its last 6 to 20 digits: a number's national significant number is such a suffix in every format.
-- The tokens are of ' #' and the digits (a leading space: no parsed word), so they never equal a word's token.
CREATE FUNCTION blind_mention_tokens(body text, html text, ipad bytea, opad bytea) RETURNS text[]
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT encode(substring(sha256(opad || sha256(ipad
    || convert_to(' #' || right(runs.d, n), 'UTF8'))) FROM 1 FOR 12), 'base64')), '{}'::text[])
  FROM (SELECT regexp_replace(r[1], '[^0-9]+', '', 'g') AS d
    FROM regexp_matches(left(coalesce(body, '') || ' ' || coalesce(html, ''), 200000),
      '([0-9][0-9 \t().+/-]*)', 'g') AS r) AS runs
  CROSS JOIN LATERAL generate_series(6, least(length(runs.d), 20)) AS n
$$;
--> statement-breakpoint
-- Erasure's mention finding looks an identifier up as all its words ('simple', as plainto_tsquery did): the same
-- words as tokens, AND'd. Cast from text, not to_tsquery(), which would parse the tokens as words again.
CREATE FUNCTION blind_words_query(words text, ipad bytea, opad bytea) RETURNS tsquery
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(string_agg(''''
    || encode(substring(sha256(opad || sha256(ipad || convert_to(lexeme, 'UTF8'))) FROM 1 FOR 12), 'base64')
    || '''', ' & ')::tsquery, ''::tsquery)
  FROM unnest(to_tsvector('simple'::regconfig, words))
$$;
