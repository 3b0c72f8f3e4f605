-- A contact's name, email and phone sealed with their data key (issue 22, server/domain/contact-fields.ts), and the
-- keyed tokens they are found by: the name's words, the email address whole and its words, the phone number's digit
-- suffixes. Rows stored before this migration keep the plain columns until `npm run privacy:encrypt-existing` seals
-- them; the plain columns go once every reader opens these.
ALTER TABLE "contacts" ADD COLUMN "sealed_name" text;--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "sealed_email" text;--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "sealed_phone" text;--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "name_tokens" text[];--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "email_tokens" text[];--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "phone_tokens" text[];--> statement-breakpoint
CREATE INDEX "contacts_name_tokens" ON "contacts" USING gin ("name_tokens");--> statement-breakpoint
CREATE INDEX "contacts_email_tokens" ON "contacts" USING gin ("email_tokens");--> statement-breakpoint
CREATE INDEX "contacts_phone_tokens" ON "contacts" USING gin ("phone_tokens");