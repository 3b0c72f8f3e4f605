CREATE TABLE "satisfaction_ratings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"conversation_id" uuid NOT NULL,
	"score" smallint NOT NULL,
	"rated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "satisfaction_ratings_score" CHECK ("satisfaction_ratings"."score" between 1 and 5)
);
--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "resolved_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "satisfaction_ratings" ADD CONSTRAINT "satisfaction_ratings_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "satisfaction_ratings_conversation" ON "satisfaction_ratings" USING btree ("conversation_id");--> statement-breakpoint
CREATE INDEX "satisfaction_ratings_rated" ON "satisfaction_ratings" USING btree ("rated_at");--> statement-breakpoint
CREATE INDEX "conversations_created" ON "conversations" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "messages_created" ON "messages" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "consent_events_analytics_latest" ON "consent_events" USING btree ("contact_id","occurred_at" DESC NULLS LAST,"id" DESC NULLS LAST,"granted") WHERE "consent_events"."purpose" = 'analytics';