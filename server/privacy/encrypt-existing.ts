import { encryptContacts, unsealedContacts } from './encrypt-contacts.ts';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { and, asc, eq, gt, isNotNull, isNull, sql } from 'drizzle-orm';
import { rowsOf, type Db } from '../db/client.ts';
import type { EncryptedBlobStore } from '../blobs/encrypted.ts';
import type { BlobOwner } from '../blobs/store.ts';
import type { DataKeys } from '../security/data-keys.ts';
import {
  attachments,
  botDecisions,
  consentEvents,
  contactIdentities,
  conversations,
  recordings,
} from '../../drizzle/schema/index.ts';
import {
  addressContext,
  addressToken,
  identityKeysOf,
  memberToken,
  openAddresses,
} from '../domain/identity-address.ts';
import { PHONE_THREAD_PREFIX, phoneThreadToken } from '../domain/thread-keys.ts';
import { dropPlainAddressColumn, plainAddressColumnExists } from './identity-column.ts';
import type { IdentityKind } from '../../drizzle/schema/enums.ts';
import { isEvidenceEncrypted, sealEvidence, type Evidence } from './consent-evidence.ts';
import { SEALED_COLUMNS, sealScores, type DecisionScores } from '../bot/decision-scores.ts';
import { appendAudit } from './audit.ts';
import { encryptMessages, plainMessageCount } from './encrypt-messages.ts';
import { encryptSubjects, plainSubjectCount } from './encrypt-subjects.ts';

/**
 * `npm run privacy:encrypt-existing`: the files, consent evidence, bot decisions' scores, identity addresses,
 * message text, conversation subjects (encrypt-subjects.ts) and contacts' name, email and phone (encrypt-contacts.ts)
 * stored before per-person encryption, encrypted with their people's data keys (identities also get their keyed
 * token; messages: encrypt-messages.ts).
 * Resumable: it works in batches, a file is rewritten in place (same id, replaced atomically) and a row in its own
 * statement (messages: a batch per statement), and what is encrypted already is skipped, so a run that was
 * interrupted is finished by the next. Safe while servers run (they read both forms).
 *
 * The file columns are the catalog's (attachments.blob_id, recordings.blob_id); each says whose file it is the way
 * new files are written (server/blobs/owners.ts).
 */
export type EncryptExistingDeps = {
  db: Db;
  blobs: EncryptedBlobStore;
  dataKeys: DataKeys;
  /** Whose file it is (server/blobs/owners.ts). */
  owners: (owner: BlobOwner) => Promise<string[]>;
};

export type EncryptProgress = (
  stage: 'files' | 'evidence' | 'decisions' | 'identities' | 'messages' | 'subjects' | 'contacts',
  done: number,
  total: number,
) => void;

export type EncryptExistingResult = {
  files: { encrypted: number; already: number; missing: number };
  evidence: { encrypted: number };
  decisions: { encrypted: number };
  /** memberTokens: Slack identities given their member token (migration 0045). */
  identities: { encrypted: number; memberTokens: number };
  /** SMS and voice conversations whose thread key (the pair of numbers) became its token (thread-keys.ts). */
  phoneThreads: { tokened: number };
  messages: { encrypted: number };
  subjects: { encrypted: number };
  contacts: { encrypted: number };
};

const BATCH = 200;

/** Evidence not yet in the encrypted form (consent-evidence.ts: one key, "encrypted"). */
const PLAIN_EVIDENCE = sql`not (jsonb_exists(${consentEvents.evidence}, 'encrypted')
  and (select count(*) from jsonb_object_keys(${consentEvents.evidence})) = 1)`;

/**
 * Bot decisions whose confidence or candidates are still in their plain columns (decision-scores.ts). A decision
 * with neither (a hand-off because the customer asked for a person) has nothing to hide and is left as it is.
 */
const PLAIN_DECISIONS = sql`${botDecisions.scores} is null
  and (${botDecisions.confidence} is not null or ${botDecisions.candidates} <> '[]'::jsonb)`;

async function plainDecisionCount(db: Db): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(botDecisions)
    .where(PLAIN_DECISIONS);
  return Number(row?.n ?? 0);
}

type FileRow = { id: string; blobId: string; owner: BlobOwner };

async function* fileRows(db: Db): AsyncGenerator<FileRow> {
  let after: string | null = null;
  for (;;) {
    const batch: Array<{ id: string; blobId: string; messageId: string }> = await db
      .select({ id: attachments.id, blobId: attachments.blobId, messageId: attachments.messageId })
      .from(attachments)
      .where(after ? gt(attachments.id, after) : undefined)
      .orderBy(asc(attachments.id))
      .limit(BATCH);
    for (const r of batch) yield { id: r.id, blobId: r.blobId, owner: { messageId: r.messageId } };
    if (batch.length < BATCH) break;
    after = batch.at(-1)!.id;
  }
  after = null;
  for (;;) {
    const batch: Array<{ id: string; blobId: string | null; conversationId: string }> = await db
      .select({ id: recordings.id, blobId: recordings.blobId, conversationId: recordings.conversationId })
      .from(recordings)
      .where(and(isNotNull(recordings.blobId), after ? gt(recordings.id, after) : undefined))
      .orderBy(asc(recordings.id))
      .limit(BATCH);
    for (const r of batch) yield { id: r.id, blobId: r.blobId!, owner: { conversationId: r.conversationId } };
    if (batch.length < BATCH) break;
    after = batch.at(-1)!.id;
  }
}

async function fileCount(db: Db): Promise<number> {
  const [a] = await db.select({ n: sql<number>`count(*)::int` }).from(attachments);
  const [r] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(recordings)
    .where(isNotNull(recordings.blobId));
  return Number(a?.n ?? 0) + Number(r?.n ?? 0);
}

/**
 * How much is still stored in plaintext (the start-up check). The files are checked by their first bytes, once:
 * when none is plaintext, `marker` (a file in DATA_DIR/keys) records it, and later starts skip the scan (every
 * file written since is encrypted).
 */
export async function plaintextRemaining(deps: Pick<EncryptExistingDeps, 'db' | 'blobs'>, marker?: string) {
  const [row] = await deps.db
    .select({ n: sql<number>`count(*)::int` })
    .from(consentEvents)
    .where(PLAIN_EVIDENCE);
  let files = 0;
  if (!marker || !existsSync(marker)) {
    for await (const f of fileRows(deps.db)) if ((await deps.blobs.refsOf(f.blobId)) === null) files++;
    if (files === 0 && marker) {
      mkdirSync(dirname(marker), { recursive: true });
      writeFileSync(marker, 'every file listed in the database was encrypted at this time\n', { mode: 0o600 });
    }
  }
  const [untokened] = await deps.db
    .select({ n: sql<number>`count(*)::int` })
    .from(contactIdentities)
    .where(isNull(contactIdentities.addressToken));
  return {
    files,
    evidence: Number(row?.n ?? 0),
    decisions: await plainDecisionCount(deps.db),
    identities: Number(untokened?.n ?? 0),
    messages: await plainMessageCount(deps.db),
    subjects: await plainSubjectCount(deps.db),
    contacts: await unsealedContacts(deps.db),
  };
}

/**
 * Identities stored before their addresses had a token and a sealed copy (server/domain/identity-address.ts): each
 * gets both, a batch per statement group; a row another writer gave them meanwhile is left as it is. Their plain
 * addresses are in the column migration 0044 kept for them (it exists only then); once the last is sealed the column
 * is dropped, as 0044 does on a database without such rows.
 */
async function encryptIdentities(db: Db, onProgress: EncryptProgress): Promise<number> {
  if (!(await plainAddressColumnExists(db))) {
    onProgress('identities', 0, 0);
    return 0;
  }
  const { blindIndex, dataKeys } = identityKeysOf(db);
  const [waiting] = rowsOf<{ n: number }>(
    await db.execute(sql`select count(*)::int as n from contact_identities where address_token is null`),
  );
  const total = Number(waiting?.n ?? 0);
  let done = 0;
  onProgress('identities', 0, total);
  for (;;) {
    const batch = rowsOf<{ id: string; contact_id: string; kind: IdentityKind; address: string }>(
      await db.execute(sql`select id, contact_id, kind::text as kind, address from contact_identities
        where address_token is null order by id limit ${BATCH}`),
    );
    if (batch.length === 0) break;
    const sealed = await dataKeys.encryptMany(
      batch.map((i) => ({ contactId: i.contact_id, plaintext: i.address, context: addressContext(i.id) })),
    );
    await db.transaction(async (tx) => {
      for (const [n, i] of batch.entries())
        await tx.execute(sql`update contact_identities
          set address_token = ${addressToken(blindIndex, i.kind, i.address)}, sealed_address = ${sealed[n]!},
            member_token = ${memberToken(blindIndex, i.kind, i.address)}
          where id = ${i.id} and address_token is null`);
    });
    done += batch.length;
    onProgress('identities', done, total);
  }
  await dropPlainAddressColumn(db);
  return done;
}

/**
 * Slack identities stored before their member token (migration 0045) get it, from their opened address: the request
 * page finds a member by it. One whose key is gone (an erased person in a restored backup) has no address to take it
 * from and stays without: no one can be sent a code there anyway. Returns how many got one.
 */
async function addMemberTokens(db: Db): Promise<number> {
  const { blindIndex, dataKeys } = identityKeysOf(db);
  let added = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const batch = rowsOf<{ id: string; sealed_address: string }>(
      await db.execute(sql`select id, sealed_address from contact_identities
        where kind = 'slack' and member_token is null and sealed_address is not null and id > ${after}::uuid
        order by id limit ${BATCH}`),
    );
    if (batch.length === 0) return added;
    const opened = await openAddresses(
      dataKeys,
      batch.map((i) => ({ id: i.id, sealedAddress: i.sealed_address })),
    );
    await db.transaction(async (tx) => {
      for (const [n, i] of batch.entries()) {
        const address = opened[n];
        if (address == null) continue;
        await tx.execute(sql`update contact_identities set member_token = ${memberToken(blindIndex, 'slack', address)}
          where id = ${i.id} and member_token is null`);
        added++;
      }
    });
    after = batch.at(-1)!.id;
  }
}

/**
 * SMS and voice conversations stored before their thread key was a token (thread-keys.ts) spell the person's number
 * in it: rewritten to the token, which is also what the person's next message is threaded by. Returns how many.
 */
async function tokenPhoneThreads(db: Db): Promise<number> {
  const { blindIndex } = identityKeysOf(db);
  let done = 0;
  for (;;) {
    const batch = rowsOf<{ id: string; thread_key: string }>(
      await db.execute(sql`select id, thread_key from conversations
        where channel in ('sms', 'voice') and thread_key not like ${`${PHONE_THREAD_PREFIX}%`}
        order by id limit ${BATCH}`),
    );
    if (batch.length === 0) return done;
    await db.transaction(async (tx) => {
      for (const c of batch)
        await tx.execute(sql`update conversations set thread_key = ${phoneThreadToken(blindIndex, c.thread_key)}
          where id = ${c.id} and thread_key = ${c.thread_key}`);
    });
    done += batch.length;
  }
}

export const encryptedMarkerPath = (dataDir: string) => join(dataDir, 'keys', '.all-files-encrypted');

export async function encryptExisting(
  deps: EncryptExistingDeps,
  onProgress: EncryptProgress = () => {},
): Promise<EncryptExistingResult> {
  const { db, blobs, dataKeys } = deps;
  const files = { encrypted: 0, already: 0, missing: 0 };
  const totalFiles = await fileCount(db);
  let done = 0;
  onProgress('files', 0, totalFiles);
  for await (const f of fileRows(db)) {
    const refs = await blobs.refsOf(f.blobId);
    if (refs === undefined) files.missing++;
    else if (refs !== null) files.already++;
    else if (await blobs.encryptInPlace(f.blobId, await deps.owners(f.owner))) files.encrypted++;
    else files.already++;
    done++;
    if (done % BATCH === 0 || done === totalFiles) onProgress('files', done, totalFiles);
  }

  const [waiting] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(consentEvents)
    .where(PLAIN_EVIDENCE);
  const totalEvidence = Number(waiting?.n ?? 0);
  let encrypted = 0;
  onProgress('evidence', 0, totalEvidence);
  let after: string | null = null;
  for (;;) {
    const batch: Array<{ id: string; contactId: string; evidence: Evidence }> = await db
      .select({ id: consentEvents.id, contactId: consentEvents.contactId, evidence: consentEvents.evidence })
      .from(consentEvents)
      .where(and(PLAIN_EVIDENCE, after ? gt(consentEvents.id, after) : undefined))
      .orderBy(asc(consentEvents.id))
      .limit(BATCH);
    if (batch.length === 0) break;
    const sealed = await sealEvidence(dataKeys, batch);
    await db.transaction(async (tx) => {
      for (const [i, e] of batch.entries()) {
        if (isEvidenceEncrypted(e.evidence)) continue;
        await tx.update(consentEvents).set({ evidence: sealed[i]! }).where(eq(consentEvents.id, e.id));
      }
      // The ledger is append-only: this re-encoding (same content, now encrypted) is recorded, by ids only.
      await appendAudit(tx, {
        actorKind: 'system',
        actorId: null,
        action: 'consent.evidence_encrypted',
        targetType: 'consent_event',
        targetId: null,
        details: { consentEventIds: batch.map((e) => e.id), fields: ['evidence'] },
      });
    });
    encrypted += batch.length;
    onProgress('evidence', encrypted, totalEvidence);
    after = batch.at(-1)!.id;
  }
  const decisions = await encryptDecisions(deps, onProgress);
  const identities = await encryptIdentities(db, onProgress);
  const memberTokens = await addMemberTokens(db);
  const phoneThreads = await tokenPhoneThreads(db);
  const sealedMessages = await encryptMessages(deps, (done, total) => onProgress('messages', done, total));
  const sealedSubjects = await encryptSubjects(deps, (done, total) => onProgress('subjects', done, total));
  const contactFields = await encryptContacts(db, onProgress);
  if (
    files.encrypted > 0 ||
    encrypted > 0 ||
    decisions > 0 ||
    identities > 0 ||
    memberTokens > 0 ||
    phoneThreads > 0 ||
    sealedMessages > 0 ||
    sealedSubjects > 0 ||
    contactFields > 0
  )
    await appendAudit(db, {
      actorKind: 'system',
      actorId: null,
      action: 'privacy.encrypted_existing',
      targetType: 'instance',
      targetId: null,
      details: {
        files: files.encrypted,
        consentEvents: encrypted,
        botDecisions: decisions,
        identities,
        memberTokens,
        phoneThreads,
        messages: sealedMessages,
        subjects: sealedSubjects,
        contacts: contactFields,
      },
    });
  return {
    files,
    evidence: { encrypted },
    decisions: { encrypted: decisions },
    identities: { encrypted: identities, memberTokens },
    phoneThreads: { tokened: phoneThreads },
    messages: { encrypted: sealedMessages },
    subjects: { encrypted: sealedSubjects },
    contacts: { encrypted: contactFields },
  };
}

/**
 * Seals the plain scores of the bot's decisions with the data key of their conversation's contact, a batch per
 * transaction; a row sealed meanwhile (by a concurrent run) is not sealed twice. Returns how many were sealed.
 */
async function encryptDecisions(
  { db, dataKeys }: Pick<EncryptExistingDeps, 'db' | 'dataKeys'>,
  onProgress: EncryptProgress,
): Promise<number> {
  const total = await plainDecisionCount(db);
  let encrypted = 0;
  onProgress('decisions', 0, total);
  let after: string | null = null;
  for (;;) {
    const batch: Array<{ id: string; contactId: string } & DecisionScores> = await db
      .select({
        id: botDecisions.id,
        contactId: conversations.contactId,
        confidence: botDecisions.confidence,
        candidates: botDecisions.candidates,
      })
      .from(botDecisions)
      .innerJoin(conversations, eq(conversations.id, botDecisions.conversationId))
      .where(and(PLAIN_DECISIONS, after ? gt(botDecisions.id, after) : undefined))
      .orderBy(asc(botDecisions.id))
      .limit(BATCH);
    if (batch.length === 0) break;
    const sealed = await sealScores(dataKeys, batch);
    await db.transaction(async (tx) => {
      for (const [i, d] of batch.entries())
        await tx
          .update(botDecisions)
          .set({ ...SEALED_COLUMNS, scores: sealed[i]! })
          .where(and(eq(botDecisions.id, d.id), isNull(botDecisions.scores)));
    });
    encrypted += batch.length;
    onProgress('decisions', encrypted, total);
    after = batch.at(-1)!.id;
  }
  return encrypted;
}
