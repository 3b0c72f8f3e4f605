ALTER TABLE "conversations" ADD COLUMN "deleted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "purge_after" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "deleted_by_agent_id" uuid;--> statement-breakpoint
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_deleted_by_agent_id_agents_id_fk" FOREIGN KEY ("deleted_by_agent_id") REFERENCES "public"."agents"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "conversations_trash" ON "conversations" USING btree ("purge_after") WHERE "conversations"."deleted_at" is not null;--> statement-breakpoint
CREATE INDEX "conversations_deleted_by" ON "conversations" USING btree ("deleted_by_agent_id") WHERE "conversations"."deleted_by_agent_id" is not null;--> statement-breakpoint
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_trash_dates" CHECK (("conversations"."deleted_at" is null) = ("conversations"."purge_after" is null));