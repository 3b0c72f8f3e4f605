-- The audit log is append-only by construction: the database refuses to change or remove an entry, whoever
-- asks (the application's role included). A row trigger covers UPDATE and DELETE, a statement trigger TRUNCATE.
-- Nothing in the application deletes audit entries (they hold ids and counts, no personal data, and are kept).
-- Only a superuser or the table's owner can get past this (ALTER TABLE ... DISABLE TRIGGER); that is what the
-- anchor (server/privacy/audit-anchor.ts) catches.
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
--> statement-breakpoint
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
