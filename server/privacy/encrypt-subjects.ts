import { and, asc, gt, isNotNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import type { DataKeys } from '../security/data-keys.ts';
import { DATA_PREFIX } from '../security/data-keys.ts';
import { conversations } from '../../drizzle/schema/index.ts';
import { sealSubjects } from '../domain/subject-store.ts';

/**
 * The `subjects` stage of `npm run privacy:encrypt-existing` (issue 22, migration 0047): a conversation's subject
 * stored before the switch is sealed with the data key of the conversation's contact and given its subject_vector
 * (subject-store.ts), a batch per statement. Resumable and safe while servers run: rows are taken by id, a subject
 * already sealed is skipped, and one that changed since it was read (an erasure's redaction meanwhile) is left for
 * the next run.
 */
const BATCH = 200;

const PLAIN = and(isNotNull(conversations.subject), sql`${conversations.subject} not like ${`${DATA_PREFIX}%`}`);

export async function plainSubjectCount(db: Db): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(conversations)
    .where(PLAIN);
  return Number(row?.n ?? 0);
}

export async function encryptSubjects(
  { db, dataKeys }: { db: Db; dataKeys: DataKeys },
  onProgress: (done: number, total: number) => void,
): Promise<number> {
  const total = await plainSubjectCount(db);
  let encrypted = 0;
  onProgress(0, total);
  let after: string | null = null;
  for (;;) {
    const batch: Array<{ id: string; contactId: string; subject: string | null }> = await db
      .select({ id: conversations.id, contactId: conversations.contactId, subject: conversations.subject })
      .from(conversations)
      .where(and(PLAIN, after ? gt(conversations.id, after) : undefined))
      .orderBy(asc(conversations.id))
      .limit(BATCH);
    if (batch.length === 0) break;
    const sealed = await sealSubjects(
      dataKeys,
      batch.map((c) => ({ conversationId: c.id, contactId: c.contactId, subject: c.subject! })),
    );
    const rows = batch.map(
      (c, i) => sql`(${c.id}::uuid, ${c.contactId}::uuid, ${sealed[i]!.subject}::text, ${c.subject}::text,
        ${sealed[i]!.subjectVector}::tsvector)`,
    );
    // The plaintext is a parameter only to check that the subject did not change since it was read; the contact is
    // checked too (a merge meanwhile moves the conversation to another contact, whose key must seal it).
    await db.execute(sql`update conversations c set subject = v.subject, subject_vector = v.subject_vector
      from (values ${sql.join(rows, sql`, `)}) as v(id, contact_id, subject, plain_subject, subject_vector)
      where c.id = v.id and c.contact_id = v.contact_id and c.subject = v.plain_subject`);
    encrypted += batch.length;
    onProgress(encrypted, total);
    after = batch.at(-1)!.id;
  }
  return encrypted;
}
