-- Hand-written: every existing inbound message gets the identity that wrote it, where that is unambiguous: the
-- conversation's contact has exactly one identity of the message's channel kind. (Before this migration a mail
-- joined by its headers was stored under the conversation's contact: that is what is backfilled for it too.)
UPDATE "messages" m SET "author_identity_id" = ci."id"
FROM "conversations" c, "contact_identities" ci
WHERE m."direction" = 'inbound' AND m."author_kind" = 'contact' AND m."author_identity_id" IS NULL
  AND c."id" = m."conversation_id" AND ci."contact_id" = c."contact_id"
  AND ci."kind" = (CASE m."channel" WHEN 'chat' THEN 'visitor' WHEN 'email' THEN 'email'
    WHEN 'sms' THEN 'phone' WHEN 'voice' THEN 'phone' WHEN 'slack' THEN 'slack' END)::"identity_kind"
  AND (SELECT count(*) FROM "contact_identities" o WHERE o."contact_id" = c."contact_id" AND o."kind" = ci."kind") = 1;
--> statement-breakpoint
-- The writers of existing email conversations become their participants (From), first seen at their first mail.
INSERT INTO "conversation_participants" ("conversation_id", "identity_id", "role", "first_seen_at")
SELECT m."conversation_id", m."author_identity_id", 'from', min(m."created_at")
FROM "messages" m
WHERE m."channel" = 'email' AND m."direction" = 'inbound' AND m."author_identity_id" IS NOT NULL
GROUP BY m."conversation_id", m."author_identity_id"
ON CONFLICT DO NOTHING;
