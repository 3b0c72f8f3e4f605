import { eq } from 'drizzle-orm';
import type { Db } from '../../server/db/client.ts';
import { contacts } from '../../drizzle/schema/index.ts';
import { sealFieldsOf, type ContactFields } from '../../server/domain/contact-fields.ts';

/**
 * A contact's name, email and phone are stored only sealed (issue 22, migration 0049): tests write them as the server
 * does, with the contact's data key and their tokens, never in a plain column.
 */
export async function insertContact(db: Db, fields: Partial<ContactFields> & { locale?: string | null } = {}) {
  const { locale, ...sealable } = fields;
  const [contact] = await db
    .insert(contacts)
    .values({ locale: locale ?? null })
    .returning();
  return setContactFields(db, contact!.id, sealable);
}

/**
 * Replaces the fields given with their sealed form (the others stay); answers the stored row. Without fields nothing
 * is sealed (a database opened without the identity keys bound can hold such a contact).
 */
export async function setContactFields(db: Db, id: string, fields: Partial<ContactFields>) {
  const sealed = Object.keys(fields).length ? await sealFieldsOf(db, id, fields) : {};
  const [row] = Object.keys(sealed).length
    ? await db.update(contacts).set(sealed).where(eq(contacts.id, id)).returning()
    : await db.select().from(contacts).where(eq(contacts.id, id));
  return row!;
}
