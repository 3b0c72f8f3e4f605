CREATE TYPE "public"."participant_role" AS ENUM('from', 'to', 'cc');--> statement-breakpoint
CREATE TABLE "conversation_participants" (
	"conversation_id" uuid NOT NULL,
	"identity_id" uuid NOT NULL,
	"role" "participant_role" NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "conversation_participants_conversation_id_identity_id_role_pk" PRIMARY KEY("conversation_id","identity_id","role")
);
--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "author_identity_id" uuid;--> statement-breakpoint
ALTER TABLE "conversation_participants" ADD CONSTRAINT "conversation_participants_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversation_participants" ADD CONSTRAINT "conversation_participants_identity_id_contact_identities_id_fk" FOREIGN KEY ("identity_id") REFERENCES "public"."contact_identities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "conversation_participants_identity" ON "conversation_participants" USING btree ("identity_id");--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_author_identity_id_contact_identities_id_fk" FOREIGN KEY ("author_identity_id") REFERENCES "public"."contact_identities"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "messages_author_identity" ON "messages" USING btree ("author_identity_id") WHERE "messages"."author_identity_id" is not null;