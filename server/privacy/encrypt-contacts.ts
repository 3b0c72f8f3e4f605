import { and, asc, eq, isNotNull, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { contacts } from '../../drizzle/schema/index.ts';
import {
  CONTACT_FIELDS,
  contactFieldContext,
  emailTokens,
  nameTokens,
  phoneTokens,
  type ContactField,
} from '../domain/contact-fields.ts';
import { identityKeysOf } from '../domain/identity-address.ts';

/**
 * `privacy:encrypt-existing`'s contacts stage (issue 22): contacts stored before migration 0046 hold their name,
 * email and phone in the plain columns; each is sealed with the contact's data key (server/domain/contact-fields.ts),
 * the name, email and phone get their tokens (merge suggestions, find-a-person and search find them by these), and
 * the plain columns are cleared. A batch per transaction, so an interrupted run
 * resumes where it stopped (what is sealed no longer counts as plain).
 */
const BATCH = 200;

const PLAIN: SQL = or(isNotNull(contacts.name), isNotNull(contacts.email), isNotNull(contacts.phone))!;

/** Contacts with a field still in plain text (the start-up check counts them). */
export async function unsealedContacts(db: Db): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(contacts)
    .where(PLAIN);
  return Number(row?.n ?? 0);
}

const sealedColumn = { name: 'sealedName', email: 'sealedEmail', phone: 'sealedPhone' } as const;

export async function encryptContacts(
  db: Db,
  onProgress: (stage: 'contacts', done: number, total: number) => void,
): Promise<number> {
  const { dataKeys, blindIndex } = identityKeysOf(db);
  const total = await unsealedContacts(db);
  let done = 0;
  onProgress('contacts', 0, total);
  // A row rectified between the read and the update (its plain values changed) is left out of the update and read
  // again by the next round, with its new values.
  for (;;) {
    const batch = await db
      .select({ id: contacts.id, name: contacts.name, email: contacts.email, phone: contacts.phone })
      .from(contacts)
      .where(PLAIN)
      .orderBy(asc(contacts.id))
      .limit(BATCH);
    if (batch.length === 0) break;
    const items = batch.flatMap((c) =>
      CONTACT_FIELDS.filter((f) => c[f] !== null).map((f) => ({
        id: c.id,
        field: f as ContactField,
        contactId: c.id,
        plaintext: c[f]!,
        context: contactFieldContext(f, c.id),
      })),
    );
    const sealed = await dataKeys.encryptMany(items);
    await db.transaction(async (tx) => {
      for (const c of batch) {
        const set: Record<string, unknown> = { name: null, email: null, phone: null };
        items.forEach((item, n) => {
          if (item.id === c.id) set[sealedColumn[item.field]] = sealed[n]!;
        });
        if (c.name !== null) set.nameTokens = nameTokens(blindIndex, c.name);
        if (c.email !== null) set.emailTokens = emailTokens(blindIndex, c.email);
        if (c.phone !== null) set.phoneTokens = phoneTokens(blindIndex, c.phone);
        const same = (f: ContactField) => (c[f] === null ? sql`${contacts[f]} is null` : eq(contacts[f], c[f]));
        const [updated] = await tx
          .update(contacts)
          .set(set)
          .where(and(eq(contacts.id, c.id), same('name'), same('email'), same('phone')))
          .returning({ id: contacts.id });
        if (updated) done++;
      }
    });
    onProgress('contacts', done, total);
  }
  return done;
}
