CREATE TABLE "breaches" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"title" text NOT NULL,
	"description" text NOT NULL,
	"discovered_at" timestamp with time zone NOT NULL,
	"occurred_from" timestamp with time zone,
	"occurred_to" timestamp with time zone,
	"data_categories" text[] DEFAULT '{}' NOT NULL,
	"subject_categories" text[] DEFAULT '{}' NOT NULL,
	"approx_subjects" integer,
	"approx_records" integer,
	"consequences" text DEFAULT '' NOT NULL,
	"measures" text DEFAULT '' NOT NULL,
	"authority_notified_at" timestamp with time zone,
	"authority_note" text,
	"people_notified_at" timestamp with time zone,
	"people_note" text,
	"recorded_by_agent_id" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "dpia_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"version" integer NOT NULL,
	"sections" jsonb NOT NULL,
	"note" text,
	"saved_by_agent_id" uuid,
	"saved_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "breaches" ADD CONSTRAINT "breaches_recorded_by_agent_id_agents_id_fk" FOREIGN KEY ("recorded_by_agent_id") REFERENCES "public"."agents"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dpia_versions" ADD CONSTRAINT "dpia_versions_saved_by_agent_id_agents_id_fk" FOREIGN KEY ("saved_by_agent_id") REFERENCES "public"."agents"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "breaches_discovered" ON "breaches" USING btree ("discovered_at");--> statement-breakpoint
CREATE UNIQUE INDEX "dpia_versions_version" ON "dpia_versions" USING btree ("version");