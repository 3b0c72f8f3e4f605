-- A contact's name, email and phone are stored only sealed and found by token (issue 22,
-- server/domain/contact-fields.ts): the plain columns go. Rows stored before 0046 that `npm run
-- privacy:encrypt-existing` has not sealed yet need their plain values for it (the keys are not in the database):
-- while there are any, the columns stay (nullable already, so new rows need none) and the command drops them when
-- it has sealed the last one (server/privacy/contact-columns.ts); a server does not start on such a database and
-- says what to run.
DO $$
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM "contacts" WHERE "name" IS NOT NULL OR "email" IS NOT NULL OR "phone" IS NOT NULL
  ) THEN
    ALTER TABLE "contacts" DROP COLUMN "name";
    ALTER TABLE "contacts" DROP COLUMN "email";
    ALTER TABLE "contacts" DROP COLUMN "phone";
  END IF;
END $$;
