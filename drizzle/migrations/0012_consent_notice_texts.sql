CREATE TABLE "consent_notice_texts" (
	"text_hash" text PRIMARY KEY NOT NULL,
	"policy_version" text NOT NULL,
	"text" text NOT NULL,
	"first_shown_at" timestamp with time zone DEFAULT now() NOT NULL
);
