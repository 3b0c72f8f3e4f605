CREATE TABLE "analytics_cells" (
	"measure" text NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"channel" "channel" NOT NULL,
	"dim" text DEFAULT '' NOT NULL,
	"n" integer NOT NULL,
	"total" bigint,
	"vals" double precision[],
	"distinct_contacts" integer NOT NULL,
	"contacts" bigint[] NOT NULL,
	CONSTRAINT "analytics_cells_measure_bucket_channel_dim_pk" PRIMARY KEY("measure","bucket","channel","dim")
);
--> statement-breakpoint
CREATE TABLE "analytics_consent_queue" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"contact_id" uuid NOT NULL,
	"due_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics_dirty" (
	"bucket" timestamp with time zone PRIMARY KEY NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics_scope" (
	"contact_id" uuid PRIMARY KEY NOT NULL,
	"key" bigint GENERATED ALWAYS AS IDENTITY (sequence name "analytics_scope_key_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1)
);
--> statement-breakpoint
CREATE TABLE "analytics_state" (
	"id" smallint PRIMARY KEY DEFAULT 1 NOT NULL,
	"refreshed_at" timestamp with time zone,
	"k" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "analytics_consent_queue" ADD CONSTRAINT "analytics_consent_queue_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "analytics_scope" ADD CONSTRAINT "analytics_scope_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "analytics_cells_bucket" ON "analytics_cells" USING btree ("bucket");--> statement-breakpoint
CREATE INDEX "analytics_consent_queue_due" ON "analytics_consent_queue" USING btree ("due_at");--> statement-breakpoint
CREATE INDEX "analytics_consent_queue_contact" ON "analytics_consent_queue" USING btree ("contact_id");