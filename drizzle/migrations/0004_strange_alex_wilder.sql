CREATE TABLE "slack_events" (
	"event_id" text PRIMARY KEY NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "slack_files" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"message_id" uuid NOT NULL,
	"file_id" text NOT NULL,
	"name" text,
	"mimetype" text,
	"url_private" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now(),
	"last_error" text,
	"stored_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "slack_files" ADD CONSTRAINT "slack_files_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "slack_files_message_file" ON "slack_files" USING btree ("message_id","file_id");--> statement-breakpoint
CREATE INDEX "slack_files_due" ON "slack_files" USING btree ("next_attempt_at") WHERE "slack_files"."stored_at" is null;