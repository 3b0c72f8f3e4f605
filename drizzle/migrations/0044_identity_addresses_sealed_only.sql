-- Identity addresses are stored only sealed and found by token (issue 22, server/domain/identity-address.ts): the
-- plain column and its index go. Rows stored before 0042 that `npm run privacy:encrypt-existing` has not given a
-- token and sealed copy yet need their plain address for it (the keys are not in the database): while there are
-- any, the column stays (nullable, so new rows need none) and the command drops it when it has sealed the last
-- one (server/privacy/identity-column.ts); a server does not start on such a database and says what to run.
ALTER TABLE "contact_identities" ALTER COLUMN "address" DROP NOT NULL;--> statement-breakpoint
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM "contact_identities" WHERE "address_token" IS NULL OR "sealed_address" IS NULL) THEN
    DROP INDEX "contact_identities_kind_address";
    ALTER TABLE "contact_identities" ALTER COLUMN "address_token" SET NOT NULL;
    ALTER TABLE "contact_identities" ALTER COLUMN "sealed_address" SET NOT NULL;
    ALTER TABLE "contact_identities" DROP COLUMN "address";
  END IF;
END $$;
