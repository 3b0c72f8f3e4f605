-- A contact's name, email and phone sealed with their data key (issue 22, server/domain/contact-fields.ts), and the
-- keyed tokens of the name's words the search box finds them by. Rows stored before this migration keep the plain
-- columns until `npm run privacy:encrypt-existing` seals them; the plain columns go once every reader opens these.
ALTER TABLE "contacts" ADD COLUMN "sealed_name" text;--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "sealed_email" text;--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "sealed_phone" text;--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "name_tokens" text[];--> statement-breakpoint
CREATE INDEX "contacts_name_tokens" ON "contacts" USING gin ("name_tokens");