import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type postgres from 'postgres';
import { createDataKeys, type DataKeys } from '../../server/security/data-keys.ts';
import { createFileKeyStore, keyStorePath } from '../../server/security/key-store.ts';
import { staticKeyProvider } from '../../server/security/keys.ts';
import type { BlindIndex } from '../../server/security/blind-index.ts';
import { sealFieldsWithKey } from '../../server/domain/contact-fields.ts';
import { addressContext, addressToken } from '../../server/domain/identity-address.ts';
import type { IdentityKind } from '../../drizzle/schema/enums.ts';
import { sealTexts } from '../../server/domain/message-store.ts';
import { subjectContext } from '../../server/domain/message-text.ts';
import { subjectVectorOf } from '../../server/domain/subject-store.ts';
import type { TextTokens } from '../../server/domain/search-tokens.ts';

/**
 * bench:search's people as the product stores them (issue 22): a contact's name, email and phone sealed with the
 * contact's data key and found by their keyed tokens, identities found by their address token and stored sealed. The
 * seed draws plain values in bulk SQL into the bench's own table bench_people; this pass writes them the way ingest
 * would (and drops that table), so the name, email and phone queries run the product's path, including the opening of
 * the sealed values the hits show.
 *
 * The key store lives beside the bench's database and is kept with it (a fixed master key): a later run opens the
 * same sealed values. Seeding again (--fresh) starts a new one.
 */
export function benchDataKeys(messages: number, fresh: boolean): DataKeys {
  const dir = join(tmpdir(), `bench-search-keys-${messages}`);
  if (fresh) rmSync(dir, { recursive: true, force: true });
  const master = staticKeyProvider([Buffer.alloc(32, 9)], 'bench:search key');
  return createDataKeys(master, createFileKeyStore(keyStorePath(dir)));
}

const BATCH = 2_000;

export async function sealSeededContacts(sql: postgres.Sql, dataKeys: DataKeys, blindIndex: BlindIndex) {
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = await sql<Array<{ id: string; name: string; email: string; phone: string }>>`
      select id, name, email, phone from bench_people where id > ${after}::uuid order by id limit ${BATCH}`;
    if (rows.length === 0) break;
    const keys = await Promise.all(rows.map((r) => dataKeys.keyFor(r.id)));
    const fields = rows.map((r, i) => sealFieldsWithKey(blindIndex, keys[i]!, r.id, r));
    const col = <K extends keyof (typeof fields)[number]>(k: K) => fields.map((f) => f[k]);
    const tokens = (k: 'nameTokens' | 'emailTokens' | 'phoneTokens') => col(k).map((t) => t.join(' '));
    await sql`update contacts c set sealed_name = t.sealed_name,
        sealed_email = t.sealed_email, sealed_phone = t.sealed_phone,
        name_tokens = string_to_array(t.name_tokens, ' '), email_tokens = string_to_array(t.email_tokens, ' '),
        phone_tokens = string_to_array(t.phone_tokens, ' ')
      from unnest(${rows.map((r) => r.id)}::uuid[], ${col('sealedName') as string[]}::text[],
        ${col('sealedEmail') as string[]}::text[], ${col('sealedPhone') as string[]}::text[],
        ${tokens('nameTokens')}::text[], ${tokens('emailTokens')}::text[], ${tokens('phoneTokens')}::text[])
        as t(id, sealed_name, sealed_email, sealed_phone, name_tokens, email_tokens, phone_tokens)
      where c.id = t.id`;
    const byId = new Map(rows.map((r) => [r.id, r]));
    const identities = await sql<Array<{ id: string; contact_id: string; kind: IdentityKind }>>`
      select id, contact_id, kind::text as kind from contact_identities
      where contact_id = any(${rows.map((r) => r.id)}::uuid[])`;
    const addresses = identities.map((i) => {
      const contact = byId.get(i.contact_id)!;
      return i.kind === 'email' ? contact.email : contact.phone;
    });
    const sealed = await dataKeys.encryptMany(
      identities.map((i, n) => ({ contactId: i.contact_id, plaintext: addresses[n]!, context: addressContext(i.id) })),
    );
    await sql`update contact_identities ci set address_token = t.token, sealed_address = t.sealed
      from unnest(${identities.map((i) => i.id)}::uuid[],
        ${identities.map((i, n) => addressToken(blindIndex, i.kind, addresses[n]!))}::text[], ${sealed}::text[])
        as t(id, token, sealed)
      where ci.id = t.id`;
    after = rows.at(-1)!.id;
  }
  await sql`drop table bench_people`;
}

/**
 * The blinded copy's messages sealed as the writers store them (AES-GCM under the conversation's contact's key), so
 * the copy is the product's database: the digits index of plaintext rows (migration 0015) holds nothing for them, and
 * the hits' snippets are cut from decrypted text. Rows in batches of 2,000.
 */
export async function sealCopiedMessages(sql: postgres.Sql, dataKeys: DataKeys) {
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = await sql<Array<{ id: string; contact_id: string; body: string; html: string | null }>>`
      select m.id, c.contact_id, m.body, m.html from messages m join conversations c on c.id = m.conversation_id
      where m.id > ${after}::uuid order by m.id limit ${BATCH}`;
    if (rows.length === 0) return;
    const sealed = await sealTexts(
      dataKeys,
      rows.map((r) => ({ id: r.id, contactId: r.contact_id, body: r.body, html: r.html })),
    );
    await sql`update messages m set body = t.body, html = t.html
      from unnest(${rows.map((r) => r.id)}::uuid[], ${sealed.map((s) => s.body)}::text[],
        ${sealed.map((s) => s.html) as string[]}::text[]) as t(id, body, html)
      where m.id = t.id`;
    after = rows.at(-1)!.id;
  }
}

/**
 * Conversations' subjects sealed as ingest stores them (subject-store.ts): with the contact's key in the
 * conversation's context, found by subject_vector, whose tokens are the bench index's (as the query's blinding).
 */
export async function sealCopiedSubjects(sql: postgres.Sql, dataKeys: DataKeys, tokens: TextTokens) {
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = await sql<Array<{ id: string; contact_id: string; subject: string }>>`
      select id, contact_id, subject from conversations
      where subject is not null and id > ${after}::uuid order by id limit ${BATCH}`;
    if (rows.length === 0) return;
    const sealed = await dataKeys.encryptMany(
      rows.map((r) => ({ contactId: r.contact_id, plaintext: r.subject, context: subjectContext(r.id) })),
    );
    await sql`update conversations c set subject = t.subject, subject_vector = t.vector::tsvector
      from unnest(${rows.map((r) => r.id)}::uuid[], ${sealed}::text[],
        ${rows.map((r) => subjectVectorOf(tokens, r.subject))}::text[]) as t(id, subject, vector)
      where c.id = t.id`;
    after = rows.at(-1)!.id;
  }
}
