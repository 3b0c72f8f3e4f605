ALTER TABLE "consent_events" ADD COLUMN "language" text;--> statement-breakpoint
ALTER TABLE "consent_notice_texts" ADD COLUMN "language" text DEFAULT 'en' NOT NULL;