CREATE TYPE "public"."inbox_scope" AS ENUM('all', 'restricted');--> statement-breakpoint
CREATE TABLE "agent_inboxes" (
	"agent_id" uuid NOT NULL,
	"inbox_id" uuid NOT NULL,
	CONSTRAINT "agent_inboxes_agent_id_inbox_id_pk" PRIMARY KEY("agent_id","inbox_id")
);
--> statement-breakpoint
CREATE TABLE "team_inboxes" (
	"team_id" uuid NOT NULL,
	"inbox_id" uuid NOT NULL,
	CONSTRAINT "team_inboxes_team_id_inbox_id_pk" PRIMARY KEY("team_id","inbox_id")
);
--> statement-breakpoint
CREATE TABLE "team_members" (
	"team_id" uuid NOT NULL,
	"agent_id" uuid NOT NULL,
	CONSTRAINT "team_members_team_id_agent_id_pk" PRIMARY KEY("team_id","agent_id")
);
--> statement-breakpoint
CREATE TABLE "teams" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "teams_name_unique" UNIQUE("name")
);
--> statement-breakpoint
ALTER TABLE "agents" ADD COLUMN "inbox_scope" "inbox_scope" DEFAULT 'all' NOT NULL;--> statement-breakpoint
ALTER TABLE "agent_inboxes" ADD CONSTRAINT "agent_inboxes_agent_id_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."agents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agent_inboxes" ADD CONSTRAINT "agent_inboxes_inbox_id_inboxes_id_fk" FOREIGN KEY ("inbox_id") REFERENCES "public"."inboxes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "team_inboxes" ADD CONSTRAINT "team_inboxes_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "team_inboxes" ADD CONSTRAINT "team_inboxes_inbox_id_inboxes_id_fk" FOREIGN KEY ("inbox_id") REFERENCES "public"."inboxes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "team_members" ADD CONSTRAINT "team_members_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "team_members" ADD CONSTRAINT "team_members_agent_id_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."agents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "agent_inboxes_inbox" ON "agent_inboxes" USING btree ("inbox_id");--> statement-breakpoint
CREATE INDEX "team_inboxes_inbox" ON "team_inboxes" USING btree ("inbox_id");--> statement-breakpoint
CREATE INDEX "team_members_agent" ON "team_members" USING btree ("agent_id");