-- Identity addresses behind a keyed blind index and sealed with the person's data key (issue 22,
-- server/domain/identity-address.ts). The tokens and sealed values need keys the database never holds: rows stored
-- before this migration get them from `npm run privacy:encrypt-existing`; until then they are found by address
-- (the partial index below), and a server started on them says what to run.
ALTER TABLE "contact_identities" ADD COLUMN "address_token" text;--> statement-breakpoint
ALTER TABLE "contact_identities" ADD COLUMN "sealed_address" text;--> statement-breakpoint
DROP INDEX "contact_identities_kind_address";--> statement-breakpoint
CREATE UNIQUE INDEX "contact_identities_kind_token" ON "contact_identities" USING btree ("kind","address_token");--> statement-breakpoint
CREATE UNIQUE INDEX "contact_identities_kind_address" ON "contact_identities" USING btree ("kind","address") WHERE "contact_identities"."address_token" is null;
