-- Who touched this person's data (issue 21, item 7): every add, change and removal of a stored file (attachments)
-- and of a conversation participant (From/To/Cc) stages an audit entry in audit_staged, in the same transaction
-- as the change, whichever code path made it; server/privacy/audit-staging.ts seals them into the hash chain.
-- Entries hold ids and field names only, never a file name or an address.
-- The process that removes rows says why by setting audit.process ('erasure', 'retention') and, where the rows
-- it removes can no longer be traced to their person (cascades), audit.contact_id, with set_config(..., true).
-- A removal that cascades from a removed conversation or identity without audit.contact_id writes no entry of
-- its own: the parent's removal is audited (retention.swept, contact.erased) and names the people.
CREATE FUNCTION audit_attachment_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  att attachments;
  msg record;
  contact text;
  process text := coalesce(nullif(current_setting('audit.process', true), ''), 'direct');
  changed text[];
BEGIN
  att := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  SELECT m.author_kind::text AS author_kind, m.author_agent_id, m.conversation_id, c.contact_id INTO msg
    FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.id = att.message_id;
  contact := coalesce(msg.contact_id::text, nullif(current_setting('audit.contact_id', true), ''));
  IF contact IS NULL THEN RETURN NULL; END IF;
  IF TG_OP = 'UPDATE' THEN
    changed := array_remove(ARRAY[
      CASE WHEN OLD.filename IS DISTINCT FROM NEW.filename THEN 'filename' END,
      CASE WHEN OLD.content_type IS DISTINCT FROM NEW.content_type THEN 'content_type' END,
      CASE WHEN OLD.size IS DISTINCT FROM NEW.size THEN 'size' END,
      CASE WHEN OLD.blob_id IS DISTINCT FROM NEW.blob_id THEN 'file' END,
      CASE WHEN OLD.message_id IS DISTINCT FROM NEW.message_id THEN 'message' END], NULL);
    IF cardinality(changed) = 0 THEN RETURN NULL; END IF;
  ELSE
    changed := ARRAY['filename', 'content_type', 'size', 'file'];
  END IF;
  INSERT INTO audit_staged (actor_kind, actor_id, action, target_type, target_id, details)
  VALUES (
    CASE WHEN TG_OP = 'INSERT' AND msg.author_kind = 'agent' THEN 'agent' ELSE 'system' END,
    CASE WHEN TG_OP = 'INSERT' AND msg.author_kind = 'agent' THEN msg.author_agent_id::text END,
    CASE TG_OP WHEN 'INSERT' THEN 'attachment.stored' WHEN 'UPDATE' THEN 'attachment.updated'
      ELSE 'attachment.deleted' END,
    'attachment', att.id::text,
    jsonb_build_object('contactId', contact, 'messageId', att.message_id, 'conversationId', msg.conversation_id,
      'process', CASE WHEN TG_OP = 'INSERT' AND process = 'direct' THEN 'ingest' ELSE process END,
      'fields', to_jsonb(changed)));
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER attachments_audit AFTER INSERT OR UPDATE OR DELETE ON attachments
  FOR EACH ROW EXECUTE FUNCTION audit_attachment_change();
--> statement-breakpoint
CREATE FUNCTION audit_participant_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  p conversation_participants;
  contact text;
BEGIN
  p := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  SELECT i.contact_id::text INTO contact FROM contact_identities i WHERE i.id = p.identity_id;
  contact := coalesce(contact, nullif(current_setting('audit.contact_id', true), ''));
  IF contact IS NULL THEN RETURN NULL; END IF;
  INSERT INTO audit_staged (actor_kind, actor_id, action, target_type, target_id, details)
  VALUES ('system', NULL,
    CASE TG_OP WHEN 'INSERT' THEN 'conversation.participant_added' WHEN 'UPDATE' THEN 'conversation.participant_updated'
      ELSE 'conversation.participant_removed' END,
    'conversation', p.conversation_id::text,
    jsonb_build_object('contactId', contact, 'identityId', p.identity_id, 'conversationId', p.conversation_id,
      'role', p.role,
      'process', coalesce(nullif(current_setting('audit.process', true), ''),
        CASE WHEN TG_OP = 'INSERT' THEN 'ingest' ELSE 'direct' END),
      'fields', jsonb_build_array('participant.' || p.role::text)));
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER conversation_participants_audit AFTER INSERT OR UPDATE OR DELETE ON conversation_participants
  FOR EACH ROW EXECUTE FUNCTION audit_participant_change();
