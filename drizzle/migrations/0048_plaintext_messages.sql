-- Messages still stored in plaintext (from before per-person encryption, issue 22, until
-- `npm run privacy:encrypt-existing` seals them): the search box asks whether any remain before it adds the plaintext
-- half to its query (server/domain/search.ts). Empty once every row is sealed, so the question costs nothing.
CREATE INDEX "messages_plaintext" ON "messages" USING btree ("id") WHERE "messages"."body" not like 'pdk:%';