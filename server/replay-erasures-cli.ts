import { withRoot } from './cli-database.ts';
import { eraseContact } from './privacy/erase.ts';
import { replayErasures, scrubErasedText } from './privacy/erased-subjects.ts';
import { isNull, sql } from 'drizzle-orm';
import { erasedSubjects } from '../drizzle/schema/index.ts';

// `npm run privacy:replay-erasures`: after restoring an older backup, erases again every contact on the list of
// erased subjects (the restored table and DATA_DIR/erased-subjects.jsonl). Prints counts and ids, never a name.
await withRoot(async (root) => {
  const result = await replayErasures(root, async (contactId) => {
    await eraseContact(root, contactId, { kind: 'system', id: null });
  });
  await root.erasedSubjects.scrub();
  // Then what the schedule left for the night, whatever the size of the tables: an operator restoring a backup
  // runs this on purpose.
  const rewritten = await scrubErasedText({ db: root.db });
  if (rewritten.length) console.log(`Rewrote ${rewritten.join(', ')} so the erased text leaves the data files.`);
  const [waiting] = await root.db
    .select({ n: sql<number>`count(*)::int` })
    .from(erasedSubjects)
    .where(isNull(erasedSubjects.scrubbedAt));
  if (Number(waiting?.n ?? 0) > 0)
    console.error(
      'A transaction older than an erasure is still open on the database server (a backup?): the erased rows ' +
        'stay in the data files until it ends; the server rewrites the tables then (or run this command again).',
    );
  // A restored key store (DATA_DIR/keys) brings erased people's data keys back: they are destroyed again.
  let keys = 0;
  for (const { contactId } of await root.db.select({ contactId: erasedSubjects.contactId }).from(erasedSubjects))
    keys += (await root.dataKeys.shred(contactId)).length;
  await root.auditAnchor.flush();
  console.log(`${result.subjects} erased subjects known; ${result.erased.length} contacts found again and erased.`);
  if (keys > 0) console.log(`Destroyed ${keys} data keys of erased people that a restored key store held again.`);
  if (result.unverifiable > 0)
    console.error(`${result.unverifiable} subjects were hashed under a master key this server lacks: not matched.`);
  for (const f of result.failed) console.error(`Contact ${f.contactId} could not be erased: ${f.reason}`);
  if (result.failed.length > 0 || result.unverifiable > 0) process.exitCode = 2;
});
