import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { preparedStatement } from '../db/statements.ts';
import type { IdentityKind } from '../../drizzle/schema/enums.ts';
import { DATA_PREFIX } from '../security/data-keys.ts';
import { sealWithKey } from '../security/secret-box.ts';
import { addressContext, addressToken, identityKeysOf, memberToken } from './identity-address.ts';
import { sealFieldsWithKey } from './contact-fields.ts';

export type Address = { kind: IdentityKind; address: string };
export type FoundIdentity = { id: string; contactId: string };

const keyOf = (a: { kind: string; token: string }) => `${a.kind}\n${a.token}`;
const addressKey = (a: Address) => `${a.kind}\n${a.address}`;

const p = sql.placeholder;

/**
 * Identities by token. The kinds lead the index ((kind, address_token)): without them PostgreSQL read the whole table
 * for every look-up (a sequential scan, 8 ms at 30,000 identities); the caller keeps only matching (kind, token).
 */
const identitiesStatement = preparedStatement<{
  id: string;
  contact_id: string;
  kind: IdentityKind;
  address_token: string;
}>(sql`select id, contact_id, kind::text as kind, address_token from contact_identities
  where kind = any(${p('kinds')}::text[]::identity_kind[]) and address_token = any(${p('tokens')}::text[])`);

/** The identities of these addresses, by token (the address itself is stored only sealed). */
export async function findIdentities(db: Db, addresses: readonly Address[]): Promise<Map<string, FoundIdentity>> {
  const { blindIndex } = identityKeysOf(db);
  const wanted = addresses.map((a) => ({ ...a, token: addressToken(blindIndex, a.kind, a.address) }));
  const found = new Map<string, FoundIdentity>();
  if (wanted.length === 0) return found;
  const rows = await identitiesStatement(db, {
    kinds: [...new Set(wanted.map((w) => w.kind))],
    tokens: wanted.map((w) => w.token),
  });
  for (const row of rows)
    found.set(keyOf({ kind: row.kind, token: row.address_token }), { id: row.id, contactId: row.contact_id });
  return new Map(
    wanted.flatMap((w) => {
      const hit = found.get(keyOf(w));
      return hit ? [[addressKey(w), hit] as const] : [];
    }),
  );
}

/** findIdentities' answer for one address. */
export const foundFor = (found: Map<string, FoundIdentity>, a: Address) => found.get(addressKey(a));

/** One address's identity, or undefined. */
export async function findIdentity(db: Db, kind: IdentityKind, address: string): Promise<FoundIdentity | undefined> {
  return foundFor(await findIdentities(db, [{ kind, address }]), { kind, address });
}

/** What an ingest statement is given for a sender: its token, and for a sender not known yet a new contact. */
export type SenderPlan = {
  token: string;
  /**
   * The contact a sender known when planned belonged to then (from the look-up or the cache of known senders): the
   * owner ingest seals the text of a new thread for (ingest-text.ts). It may be stale (a merge moved the identity);
   * the statement compares the owner with the contact it finds and leaves the message out on a difference.
   */
  knownContactId: string | null;
  /** Ids and sealed address of the contact to create, when the sender was not found; null otherwise. */
  newContactId: string | null;
  newIdentityId: string | null;
  sealedAddress: string | null;
  /** A new Slack identity's token of its member id alone (identity-address.ts memberToken); null otherwise. */
  memberToken: string | null;
  /**
   * The new contact's name, email and phone sealed with its key (contact-fields.ts), and its name's tokens joined by
   * spaces (base64url has none): sealed here, for the whole batch, so the statement stores no plain field.
   */
  sealedName: string | null;
  sealedEmail: string | null;
  sealedPhone: string | null;
  nameTokens: string | null;
  /** The email address's and phone number's tokens, joined by spaces as the name's. */
  emailTokens: string | null;
  phoneTokens: string | null;
};

const UNPLANNED = {
  sealedAddress: null,
  memberToken: null,
  sealedName: null,
  sealedEmail: null,
  sealedPhone: null,
  nameTokens: null,
  emailTokens: null,
  phoneTokens: null,
};

/** The plan of a sender known to exist: its token, and its contact when known. */
export const knownPlan = (token: string, knownContactId: string | null = null): SenderPlan => ({
  token,
  knownContactId,
  newContactId: null,
  newIdentityId: null,
  ...UNPLANNED,
});

/**
 * Tokens known to name an identity, with the identity's contact then, so a message from a known sender costs no
 * look-up before its statement.
 */
const KNOWN_CACHE = 50_000;
const knownTokens = new WeakMap<Db, Map<string, string>>();

function knownOf(db: Db) {
  let known = knownTokens.get(db);
  if (!known) knownTokens.set(db, (known = new Map()));
  return known;
}

export function rememberKnown(db: Db, kind: string, token: string, contactId: string) {
  const known = knownOf(db);
  const k = keyOf({ kind, token });
  known.delete(k);
  known.set(k, contactId);
  if (known.size > KNOWN_CACHE) known.delete(known.keys().next().value!);
}

/** The identity is gone (erased, merged away): the next message looks again. */
export const forgetKnown = (db: Db, kind: string, token: string) => knownOf(db).delete(keyOf({ kind, token }));

/**
 * The senders of a batch of messages, planned before its one statement (ingest-batch.ts): a sender whose token is
 * known goes by token; the others are looked up together, and those still unknown get a new contact: its id and
 * data key taken from the pool of keys made ahead in blocks (data-keys.ts newContactKeys; the id is the key's
 * reference), durable before the statement that names them commits, and an identity id. Two messages of one new
 * sender share one plan. A plan the statement did not use (another writer created the contact first) leaves a key
 * nobody names, and no data under it: it is left in its block (settlePlans).
 */
export async function planSenders(
  db: Db,
  senders: ReadonlyArray<Address & { name?: string | null }>,
  options: { lookUp?: boolean } = {},
) {
  const { blindIndex, dataKeys } = identityKeysOf(db);
  const known = knownOf(db);
  const tokens = senders.map((s) => addressToken(blindIndex, s.kind, s.address));
  const unsure = senders.filter((s, i) => options.lookUp || !known.has(keyOf({ kind: s.kind, token: tokens[i]! })));
  const found = unsure.length > 0 ? await findIdentities(db, unsure) : new Map<string, FoundIdentity>();
  const fresh = new Map<string, { plan: SenderPlan; sender: Address & { name?: string | null } }>();
  const wanted = new Set(
    senders.flatMap((s, i) =>
      unsure.includes(s) && !foundFor(found, s) ? [keyOf({ kind: s.kind, token: tokens[i]! })] : [],
    ),
  ).size;
  const keys = wanted > 0 ? await dataKeys.newContactKeys(wanted) : [];
  const plans = senders.map((s, i): SenderPlan => {
    const token = tokens[i]!;
    if (!unsure.includes(s)) return knownPlan(token, known.get(keyOf({ kind: s.kind, token })) ?? null);
    const hit = foundFor(found, s);
    if (hit) {
      rememberKnown(db, s.kind, token, hit.contactId);
      return knownPlan(token, hit.contactId);
    }
    const k = keyOf({ kind: s.kind, token });
    let entry = fresh.get(k);
    if (!entry) {
      const plan: SenderPlan = {
        token,
        knownContactId: null,
        newContactId: keys[fresh.size]!.ref,
        newIdentityId: randomUUID(),
        ...UNPLANNED,
        memberToken: memberToken(blindIndex, s.kind, s.address),
      };
      fresh.set(k, (entry = { plan, sender: s }));
    }
    return entry.plan;
  });
  const planned = [...fresh.values()];
  planned.forEach(({ plan, sender }, i) => {
    const key = keys[i]!;
    plan.sealedAddress = sealWithKey(
      DATA_PREFIX,
      key.ref,
      key.key,
      sender.address,
      addressContext(plan.newIdentityId!),
    );
    const fields = sealFieldsWithKey(blindIndex, key, plan.newContactId!, {
      name: sender.name ?? null,
      email: sender.kind === 'email' ? sender.address : null,
      phone: sender.kind === 'phone' ? sender.address : null,
    });
    plan.sealedName = fields.sealedName;
    plan.sealedEmail = fields.sealedEmail;
    plan.sealedPhone = fields.sealedPhone;
    const joined = (tokens: string[]) => (tokens.length ? tokens.join(' ') : null);
    plan.nameTokens = joined(fields.nameTokens);
    plan.emailTokens = joined(fields.emailTokens);
    plan.phoneTokens = joined(fields.phoneTokens);
  });
  return plans;
}

/**
 * After the statement: remembers the senders it created or found. The keys of planned contacts it did not create
 * stay in their blocks: nothing was stored under them (the sealed address went nowhere), and destroying them would
 * rewrite a block under its lock for no one's benefit.
 */
export async function settlePlans(
  db: Db,
  senders: readonly Address[],
  plans: readonly SenderPlan[],
  committedContactIds: ReadonlySet<string>,
): Promise<void> {
  plans.forEach((plan, i) => {
    const contactId = plan.newContactId ?? plan.knownContactId;
    if (contactId && (!plan.newContactId || committedContactIds.has(plan.newContactId)))
      rememberKnown(db, senders[i]!.kind, plan.token, contactId);
  });
}
