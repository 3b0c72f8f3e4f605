CREATE TABLE "chat_visitor_states" (
	"conversation_id" uuid PRIMARY KEY NOT NULL,
	"visitor_read_at" timestamp with time zone,
	"visitor_left_at" timestamp with time zone,
	"followup_identity_id" uuid,
	"followup_inbox_id" uuid,
	"followup_since" timestamp with time zone,
	"emailed_until" timestamp with time zone,
	"thread_message_id" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "inbox_business_hours" (
	"inbox_id" uuid PRIMARY KEY NOT NULL,
	"time_zone" text NOT NULL,
	"windows" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"holidays" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"visitor_gone_minutes" integer DEFAULT 5 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "chat_visitor_states" ADD CONSTRAINT "chat_visitor_states_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chat_visitor_states" ADD CONSTRAINT "chat_visitor_states_followup_identity_id_contact_identities_id_fk" FOREIGN KEY ("followup_identity_id") REFERENCES "public"."contact_identities"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chat_visitor_states" ADD CONSTRAINT "chat_visitor_states_followup_inbox_id_inboxes_id_fk" FOREIGN KEY ("followup_inbox_id") REFERENCES "public"."inboxes"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inbox_business_hours" ADD CONSTRAINT "inbox_business_hours_inbox_id_inboxes_id_fk" FOREIGN KEY ("inbox_id") REFERENCES "public"."inboxes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "chat_visitor_states_identity" ON "chat_visitor_states" USING btree ("followup_identity_id");--> statement-breakpoint
CREATE INDEX "chat_visitor_states_inbox" ON "chat_visitor_states" USING btree ("followup_inbox_id");