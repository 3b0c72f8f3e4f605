CREATE TABLE "erased_subjects" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"erased_at" timestamp with time zone DEFAULT now() NOT NULL,
	"contact_id" uuid NOT NULL,
	"key_id" text NOT NULL,
	"hashes" text[] NOT NULL,
	"tables" text[] NOT NULL,
	"scrubbed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "erased_subjects_pending" ON "erased_subjects" USING btree ("erased_at") WHERE "erased_subjects"."scrubbed_at" is null;