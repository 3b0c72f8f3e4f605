-- A message's search_vector is kept in its row (STORAGE MAIN) rather than in the TOAST table. Since issue 22 the
-- vector holds keyed tokens (16 characters each, random, so they do not compress) instead of words: 1.5 kB per
-- message on average against 1.1 kB, and 28 % of vectors went over the 2 kB at which PostgreSQL moves a value out
-- of its row (9 % before). Search checks the vectors of the newest conversations' messages one by one before it
-- asks the index (server/domain/search.ts); each vector out of line was a fetch from the TOAST table: a phrase
-- search's statement took 38.6 ms at the median against 16.3 ms inline (100,000 messages, bench:search). A row
-- grows by its vector (the messages table about doubles); a value is still moved out of line when the row would not
-- fit in a page. Existing rows move in when they are written again (privacy:encrypt-existing does; VACUUM FULL or
-- pg_repack for the rest).
ALTER TABLE "messages" ALTER COLUMN "search_vector" SET STORAGE MAIN;
