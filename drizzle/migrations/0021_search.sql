-- The search box (server/domain/search.ts) finds conversations by message text, subject, contact name, email,
-- phone and id, through indexes only:
--   * message words: messages.search_vector (0022), a stored tsvector computed by search_document(): every word of
--     body + HTML unstemmed ('simple', as the erasure index mention_words of 0015) and, where the message's language
--     is known (messages.language; search_config(): en, de, fr, fi, sv), the same words stemmed in that language.
--     Stored rather than an expression index like mention_words: PostgreSQL must read the words of the rows it
--     checks (phrase rechecks; newest-first walks for common words), and computing to_tsvector again for each row
--     there costs 50-200 µs: thousands of rows per query. mention_words alone cannot serve: it is an expression
--     (the same per-row cost) and unstemmed ("refund" never finds "refunds").
--   * identifiers: trigram indexes (pg_trgm, 0015) for substrings of names, email addresses and identity
--     addresses, and of their digits for phone numbers in any format; conversation ids use the primary key.
--   * subjects: their words ('simple') and trigrams.
-- messages.language is the language of the text where known: given at insert, or else the contact's locale.
CREATE FUNCTION search_config(language text) RETURNS regconfig LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE lower(split_part(coalesce(language, ''), '-', 1))
    WHEN 'en' THEN 'english'::regconfig
    WHEN 'de' THEN 'german'::regconfig
    WHEN 'fr' THEN 'french'::regconfig
    WHEN 'fi' THEN 'finnish'::regconfig
    WHEN 'sv' THEN 'swedish'::regconfig
    ELSE 'simple'::regconfig
  END
$$;
--> statement-breakpoint
CREATE FUNCTION search_document(language text, body text, html text) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN public.search_config(language) = 'simple'::regconfig THEN to_tsvector('simple'::regconfig, t)
    ELSE to_tsvector('simple'::regconfig, t) || to_tsvector(public.search_config(language), t) END
  FROM (SELECT left(coalesce(body, '') || ' ' || coalesce(html, ''), 200000) AS t) AS text
$$;
--> statement-breakpoint
CREATE FUNCTION search_digits(value text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT regexp_replace(coalesce(value, ''), '[^0-9]+', '', 'g')
$$;
--> statement-breakpoint
CREATE FUNCTION messages_language_from_contact() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.language IS NULL THEN
    SELECT nullif(lower(split_part(ct.locale, '-', 1)), '') INTO NEW.language
      FROM conversations c JOIN contacts ct ON ct.id = c.contact_id
      WHERE c.id = NEW.conversation_id;
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER messages_language BEFORE INSERT ON messages
  FOR EACH ROW EXECUTE FUNCTION messages_language_from_contact();
--> statement-breakpoint
CREATE INDEX contacts_name_trgm ON contacts USING gin (name gin_trgm_ops);
--> statement-breakpoint
CREATE INDEX contacts_email_trgm ON contacts USING gin (email gin_trgm_ops);
--> statement-breakpoint
CREATE INDEX contacts_phone_digits ON contacts USING gin (search_digits(phone) gin_trgm_ops);
--> statement-breakpoint
CREATE INDEX contact_identities_address_trgm ON contact_identities USING gin (address gin_trgm_ops);
--> statement-breakpoint
CREATE INDEX contact_identities_address_digits ON contact_identities USING gin (search_digits(address) gin_trgm_ops);
--> statement-breakpoint
CREATE INDEX conversations_subject_words ON conversations USING gin (to_tsvector('simple'::regconfig, coalesce(subject, '')));
--> statement-breakpoint
CREATE INDEX conversations_subject_trgm ON conversations USING gin (subject gin_trgm_ops);
