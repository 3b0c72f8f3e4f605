-- Slack identities get a second token, of the member id alone (server/domain/identity-address.ts memberToken): the
-- request page is given a member id without its workspace. Rows stored before get it from
-- `npm run privacy:encrypt-existing` (the token key is not in the database).
ALTER TABLE "contact_identities" ADD COLUMN "member_token" text;--> statement-breakpoint
CREATE INDEX "contact_identities_member_token" ON "contact_identities" USING btree ("member_token") WHERE "contact_identities"."member_token" is not null;