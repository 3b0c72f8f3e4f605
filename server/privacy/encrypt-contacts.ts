import { sql, type SQL } from 'drizzle-orm';
import { rowsOf, type Db } from '../db/client.ts';
import {
  CONTACT_FIELDS,
  contactFieldContext,
  emailTokens,
  nameTokens,
  phoneTokens,
  tokenArray,
  type ContactField,
} from '../domain/contact-fields.ts';
import { identityKeysOf } from '../domain/identity-address.ts';
import { dropPlainContactColumns, plainContactColumnsExist } from './contact-columns.ts';

/**
 * `privacy:encrypt-existing`'s contacts stage (issue 22): contacts stored before migration 0046 hold their name,
 * email and phone in the plain columns, which migration 0049 keeps for them (they exist only then: the schema no
 * longer has them, so they are read and cleared here with raw SQL). Each value is sealed with the contact's data key
 * (server/domain/contact-fields.ts), the name, email and phone get their tokens (merge suggestions, find-a-person and
 * search find them by these), and the plain columns are cleared. A batch per transaction, so an interrupted run
 * resumes where it stopped (what is sealed no longer counts as plain); once the last is sealed the columns are
 * dropped, as 0049 does on a database without such rows.
 */
const BATCH = 200;

const PLAIN = sql`name is not null or email is not null or phone is not null`;

/** Contacts with a field still in plain text (the start-up check counts them); none once the columns are gone. */
export async function unsealedContacts(db: Db): Promise<number> {
  if (!(await plainContactColumnsExist(db))) return 0;
  const [row] = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from contacts where ${PLAIN}`));
  return Number(row?.n ?? 0);
}

const sealedColumn = { name: 'sealed_name', email: 'sealed_email', phone: 'sealed_phone' } as const;
const tokenColumn = { name: 'name_tokens', email: 'email_tokens', phone: 'phone_tokens' } as const;
const tokensOf = { name: nameTokens, email: emailTokens, phone: phoneTokens } as const;

type PlainRow = { id: string } & Record<ContactField, string | null>;

export async function encryptContacts(
  db: Db,
  onProgress: (stage: 'contacts', done: number, total: number) => void,
): Promise<number> {
  if (!(await plainContactColumnsExist(db))) {
    onProgress('contacts', 0, 0);
    return 0;
  }
  const { dataKeys, blindIndex } = identityKeysOf(db);
  const total = await unsealedContacts(db);
  let done = 0;
  onProgress('contacts', 0, total);
  // A row changed between the read and the update (by a concurrent run: its plain values are cleared) is left out
  // of the update and, while it still holds a plain value, read again by the next round.
  for (;;) {
    const batch = rowsOf<PlainRow>(
      await db.execute(sql`select id, name, email, phone from contacts where ${PLAIN} order by id limit ${BATCH}`),
    );
    if (batch.length === 0) break;
    const items = batch.flatMap((c) =>
      CONTACT_FIELDS.filter((f) => c[f] !== null).map((f) => ({
        id: c.id,
        field: f,
        contactId: c.id,
        plaintext: c[f]!,
        context: contactFieldContext(f, c.id),
      })),
    );
    const sealed = await dataKeys.encryptMany(items);
    await db.transaction(async (tx) => {
      for (const c of batch) {
        // A field without a plain value keeps its sealed one (rectified since 0046) and its tokens.
        const set: SQL[] = [sql`name = null, email = null, phone = null`];
        items.forEach((item, n) => {
          if (item.id !== c.id) return;
          const f = item.field;
          set.push(
            sql`${sql.identifier(sealedColumn[f])} = ${sealed[n]!}`,
            sql`${sql.identifier(tokenColumn[f])} = ${tokenArray(tokensOf[f](blindIndex, c[f]))}::text[]`,
          );
        });
        const same = sql.join(
          CONTACT_FIELDS.map((f) => sql`${sql.identifier(f)} is not distinct from ${c[f]}::text`),
          sql` and `,
        );
        const updated = rowsOf<{ id: string }>(
          await tx.execute(sql`update contacts set ${sql.join(set, sql`, `)}
            where id = ${c.id}::uuid and ${same} returning id`),
        );
        if (updated.length) done++;
      }
    });
    onProgress('contacts', done, total);
  }
  await dropPlainContactColumns(db);
  return done;
}
