-- Analytics rollups: which 15-minute buckets (analytics_cells) must be recomputed, and whose consent to
-- recheck (analytics_consent_queue). Rows written live (created_at = now()) are found by the refresh itself
-- (everything since the last refresh); these triggers catch the rest: backdated or future-dated rows,
-- deletions, and changes of the columns the figures depend on. None of them does any work on the live
-- ingest path: the row triggers' WHEN clauses are false for an insert stamped now() and for updates of
-- last_message_at / updated_at / delivery state, and deletions are handled once per statement.
INSERT INTO "analytics_state" ("id") VALUES (1);
--> statement-breakpoint
CREATE FUNCTION analytics_bucket(ts timestamptz) RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT date_bin('15 minutes', ts, timestamptz '2000-01-01 00:00:00+00') $$;
--> statement-breakpoint
-- The buckets of these times are dirty. DO UPDATE (not DO NOTHING) takes the row lock, so a refresh that
-- claims the bucket waits for this transaction and then sees its rows.
CREATE FUNCTION analytics_mark_dirty(times timestamptz[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO analytics_dirty (bucket)
  SELECT DISTINCT analytics_bucket(t) FROM unnest(times) t WHERE t IS NOT NULL AND isfinite(t)
  ORDER BY 1
  ON CONFLICT (bucket) DO UPDATE SET bucket = excluded.bucket
$$;
--> statement-breakpoint
CREATE FUNCTION analytics_messages_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- The message's own bucket (volume, heatmap) and its conversation's (first response, deflection).
  PERFORM analytics_mark_dirty(ARRAY[NEW.created_at, OLD.created_at,
    (SELECT c.created_at FROM conversations c WHERE c.id = NEW.conversation_id),
    (SELECT c.created_at FROM conversations c WHERE c.id = OLD.conversation_id)]);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER analytics_messages_backdated AFTER INSERT ON messages FOR EACH ROW
  WHEN (NEW.created_at < now() - interval '2 minutes' OR NEW.created_at > now() + interval '2 minutes')
  EXECUTE FUNCTION analytics_messages_row();
--> statement-breakpoint
CREATE TRIGGER analytics_messages_changed AFTER UPDATE ON messages FOR EACH ROW
  WHEN (OLD.created_at IS DISTINCT FROM NEW.created_at OR OLD.kind IS DISTINCT FROM NEW.kind
    OR OLD.author_kind IS DISTINCT FROM NEW.author_kind OR OLD.direction IS DISTINCT FROM NEW.direction
    OR OLD.channel IS DISTINCT FROM NEW.channel OR OLD.conversation_id IS DISTINCT FROM NEW.conversation_id)
  EXECUTE FUNCTION analytics_messages_row();
--> statement-breakpoint
CREATE FUNCTION analytics_messages_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM analytics_mark_dirty(ARRAY(
    SELECT o.created_at FROM old_rows o
    UNION SELECT c.created_at FROM conversations c WHERE c.id IN (SELECT o.conversation_id FROM old_rows o)));
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER analytics_messages_deleted AFTER DELETE ON messages REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION analytics_messages_deleted();
--> statement-breakpoint
CREATE FUNCTION analytics_conversations_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM analytics_mark_dirty(ARRAY[NEW.created_at, OLD.created_at]);
  -- Moved to another contact (a merge) or channel: every cell holding its rows changes.
  IF TG_OP = 'UPDATE' AND (OLD.contact_id IS DISTINCT FROM NEW.contact_id OR OLD.channel IS DISTINCT FROM NEW.channel) THEN
    PERFORM analytics_mark_dirty(ARRAY(
      SELECT m.created_at FROM messages m WHERE m.conversation_id = NEW.id
      UNION SELECT d.created_at FROM bot_decisions d WHERE d.conversation_id = NEW.id
      UNION SELECT r.rated_at FROM satisfaction_ratings r WHERE r.conversation_id = NEW.id));
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER analytics_conversations_backdated AFTER INSERT ON conversations FOR EACH ROW
  WHEN (NEW.created_at < now() - interval '2 minutes' OR NEW.created_at > now() + interval '2 minutes')
  EXECUTE FUNCTION analytics_conversations_row();
--> statement-breakpoint
CREATE TRIGGER analytics_conversations_changed AFTER UPDATE ON conversations FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.resolved_at IS DISTINCT FROM NEW.resolved_at
    OR OLD.created_at IS DISTINCT FROM NEW.created_at OR OLD.contact_id IS DISTINCT FROM NEW.contact_id
    OR OLD.channel IS DISTINCT FROM NEW.channel)
  EXECUTE FUNCTION analytics_conversations_row();
--> statement-breakpoint
CREATE FUNCTION analytics_conversations_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM analytics_mark_dirty(ARRAY(SELECT o.created_at FROM old_rows o));
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER analytics_conversations_deleted AFTER DELETE ON conversations REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION analytics_conversations_deleted();
--> statement-breakpoint
CREATE FUNCTION analytics_bot_decisions_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM analytics_mark_dirty(ARRAY[NEW.created_at, OLD.created_at,
    (SELECT c.created_at FROM conversations c WHERE c.id = NEW.conversation_id),
    (SELECT c.created_at FROM conversations c WHERE c.id = OLD.conversation_id)]);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER analytics_bot_decisions_backdated AFTER INSERT ON bot_decisions FOR EACH ROW
  WHEN (NEW.created_at < now() - interval '2 minutes' OR NEW.created_at > now() + interval '2 minutes')
  EXECUTE FUNCTION analytics_bot_decisions_row();
--> statement-breakpoint
CREATE TRIGGER analytics_bot_decisions_changed AFTER UPDATE ON bot_decisions FOR EACH ROW
  WHEN (OLD.action IS DISTINCT FROM NEW.action OR OLD.reason IS DISTINCT FROM NEW.reason
    OR OLD.created_at IS DISTINCT FROM NEW.created_at OR OLD.conversation_id IS DISTINCT FROM NEW.conversation_id)
  EXECUTE FUNCTION analytics_bot_decisions_row();
--> statement-breakpoint
CREATE FUNCTION analytics_bot_decisions_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM analytics_mark_dirty(ARRAY(
    SELECT o.created_at FROM old_rows o
    UNION SELECT c.created_at FROM conversations c WHERE c.id IN (SELECT o.conversation_id FROM old_rows o)));
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER analytics_bot_decisions_deleted AFTER DELETE ON bot_decisions REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION analytics_bot_decisions_deleted();
--> statement-breakpoint
-- Ratings are not on the ingest path: every insert and change marks its bucket.
CREATE FUNCTION analytics_ratings_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM analytics_mark_dirty(ARRAY[NEW.rated_at, OLD.rated_at]);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER analytics_ratings_inserted AFTER INSERT ON satisfaction_ratings FOR EACH ROW
  EXECUTE FUNCTION analytics_ratings_row();
--> statement-breakpoint
CREATE TRIGGER analytics_ratings_changed AFTER UPDATE ON satisfaction_ratings FOR EACH ROW
  WHEN (OLD.score IS DISTINCT FROM NEW.score OR OLD.rated_at IS DISTINCT FROM NEW.rated_at OR OLD.conversation_id IS DISTINCT FROM NEW.conversation_id)
  EXECUTE FUNCTION analytics_ratings_row();
--> statement-breakpoint
CREATE FUNCTION analytics_ratings_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM analytics_mark_dirty(ARRAY(SELECT o.rated_at FROM old_rows o));
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER analytics_ratings_deleted AFTER DELETE ON satisfaction_ratings REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION analytics_ratings_deleted();
--> statement-breakpoint
-- Consent: the contact is rechecked when the event takes effect (a grant dated in the future counts from
-- its date on). Only for contacts that still exist: an erasure deletes the ledger and then the contact.
CREATE FUNCTION analytics_consent_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO analytics_consent_queue (contact_id, due_at)
  SELECT x.contact_id, x.due_at FROM (VALUES
      (CASE WHEN NEW.purpose = 'analytics' THEN NEW.contact_id END, greatest(NEW.occurred_at, now())),
      (CASE WHEN OLD.purpose = 'analytics' THEN OLD.contact_id END, now())) x(contact_id, due_at)
  WHERE x.contact_id IS NOT NULL AND EXISTS (SELECT 1 FROM contacts c WHERE c.id = x.contact_id);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER analytics_consent_inserted AFTER INSERT ON consent_events FOR EACH ROW
  WHEN (NEW.purpose = 'analytics') EXECUTE FUNCTION analytics_consent_row();
--> statement-breakpoint
CREATE TRIGGER analytics_consent_changed AFTER UPDATE ON consent_events FOR EACH ROW
  WHEN (OLD.purpose = 'analytics' OR NEW.purpose = 'analytics') EXECUTE FUNCTION analytics_consent_row();
--> statement-breakpoint
CREATE FUNCTION analytics_consent_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO analytics_consent_queue (contact_id, due_at)
  SELECT DISTINCT o.contact_id, now() FROM old_rows o
  WHERE o.purpose = 'analytics' AND EXISTS (SELECT 1 FROM contacts c WHERE c.id = o.contact_id);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER analytics_consent_deleted AFTER DELETE ON consent_events REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION analytics_consent_deleted();
