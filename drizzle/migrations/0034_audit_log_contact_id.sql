ALTER TABLE "audit_log" ADD COLUMN "contact_id" text GENERATED ALWAYS AS (coalesce(details ->> 'contactId', case when target_type = 'contact' then target_id end)) STORED;--> statement-breakpoint
CREATE INDEX "audit_log_contact" ON "audit_log" USING btree ("contact_id","id");--> statement-breakpoint
CREATE INDEX "audit_log_contact_ids" ON "audit_log" USING gin (("details" -> 'contactIds') jsonb_path_ops);--> statement-breakpoint
CREATE INDEX "audit_log_unnamed_target" ON "audit_log" USING btree ("target_type","target_id") WHERE contact_id is null;