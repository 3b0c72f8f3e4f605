-- Conversation subjects encrypted at rest (issue 22): from this version on the writers store conversations.subject
-- sealed with the data key of the conversation's contact (server/domain/subject-store.ts), and subject_vector beside
-- it: the subject's words (unstemmed, with positions and word pairs) and digit runs as keyed tokens computed in the
-- server, which the search box and erasure find a sealed subject by. Rows stored before keep their plaintext subject
-- and its indexes of migration 0021 until `npm run privacy:encrypt-existing` seals them.
ALTER TABLE "conversations" ADD COLUMN "subject_vector" tsvector;--> statement-breakpoint
CREATE INDEX "conversations_subject_vector" ON "conversations" USING gin ("subject_vector");--> statement-breakpoint
-- The plaintext subject indexes (0021) keep plaintext rows only: a sealed subject's base64 would fill them with
-- trigrams and "words" of ciphertext, which a typed fragment could even match. search.ts names the same predicate.
DROP INDEX IF EXISTS "conversations_subject_words";--> statement-breakpoint
CREATE INDEX "conversations_subject_words" ON "conversations"
  USING gin (to_tsvector('simple'::regconfig, coalesce(subject, ''))) WHERE subject NOT LIKE 'pdk:%';--> statement-breakpoint
DROP INDEX IF EXISTS "conversations_subject_trgm";--> statement-breakpoint
CREATE INDEX "conversations_subject_trgm" ON "conversations" USING gin (subject gin_trgm_ops)
  WHERE subject NOT LIKE 'pdk:%';
