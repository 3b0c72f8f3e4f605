ALTER TYPE "public"."consent_purpose" ADD VALUE 'bot_training';--> statement-breakpoint
CREATE TABLE "kb_example_proposals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"article_id" uuid NOT NULL,
	"conversation_id" uuid NOT NULL,
	"message_id" uuid NOT NULL,
	"proposed_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "kb_example_proposals" ADD CONSTRAINT "kb_example_proposals_article_id_kb_articles_id_fk" FOREIGN KEY ("article_id") REFERENCES "public"."kb_articles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kb_example_proposals" ADD CONSTRAINT "kb_example_proposals_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kb_example_proposals" ADD CONSTRAINT "kb_example_proposals_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kb_example_proposals" ADD CONSTRAINT "kb_example_proposals_proposed_by_agents_id_fk" FOREIGN KEY ("proposed_by") REFERENCES "public"."agents"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "kb_example_proposals_message_article" ON "kb_example_proposals" USING btree ("message_id","article_id");--> statement-breakpoint
CREATE INDEX "kb_example_proposals_conversation" ON "kb_example_proposals" USING btree ("conversation_id");--> statement-breakpoint
CREATE INDEX "kb_example_proposals_article" ON "kb_example_proposals" USING btree ("article_id");