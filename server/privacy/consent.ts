import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { agents, consentEvents } from '../../drizzle/schema/index.ts';
import type { ChannelKind, ConsentPurpose } from '../../drizzle/schema/enums.ts';
import type { ConsentEventView, ConsentState } from '../http/views.ts';
import type { DomainEventBus } from '../domain/events.ts';
import { appendAuditEntries, type AuditEntry } from './audit.ts';
import { openEvidence, sealEvidence, type Evidence } from './consent-evidence.ts';
import type { DataKeys } from '../security/data-keys.ts';

export type ConsentInput = {
  contactId: string;
  purpose: ConsentPurpose;
  granted: boolean;
  policyVersion: string;
  textHash: string;
  /** The language of the text shown (the notice, the call announcement); null where none was shown. */
  language?: string | null;
  sourceChannel: ChannelKind;
  evidence: Record<string, string>;
  recordedByAgentId?: string | null;
  actor: { kind: 'agent' | 'visitor' | 'system'; id: string | null };
  /** When the consent was given, if not now (consent carried over by an import, with its evidence). */
  occurredAt?: Date;
};

/** What the consent writer needs: the database, and the bus it tells (after commit) that consent changed. */
export type ConsentDeps = {
  db: Db;
  events: Pick<DomainEventBus, 'publish'>;
  /** The evidence is stored encrypted with the person's data key (consent-evidence.ts). */
  dataKeys: DataKeys;
};

/**
 * The one consent writer: appends the events to the ledger (never an update) with their audit entries in
 * one transaction, and once it has committed publishes `consent.changed` per purpose (analytics figures
 * and open dashboards follow consent). Every channel, the widget and agents record consent through here.
 */
export async function recordConsent(deps: ConsentDeps, input: ConsentInput | ConsentInput[]): Promise<void> {
  const inputs = Array.isArray(input) ? input : [input];
  await recordConsentWith(deps, async () => ({ consents: inputs, result: undefined }));
}

/**
 * The same writer for a change that creates what the consent is about in the same transaction (a widget
 * visitor's contact exists only together with the consent they gave): `work` writes its rows and returns
 * the consent events to append and its own result.
 */
export async function recordConsentWith<T>(
  deps: ConsentDeps,
  work: (tx: Db) => Promise<{ consents: ConsentInput[]; result: T; audit?: AuditEntry[] }>,
): Promise<T> {
  const { consents, result } = await deps.db.transaction(async (tx) => {
    const done = await work(tx);
    await appendConsentEvents(tx, deps.dataKeys, done.consents, done.audit);
    return done;
  });
  for (const purpose of new Set(consents.map((c) => c.purpose))) deps.events.publish('consent.changed', { purpose });
  if (consents.length > 0)
    deps.events.publish('consent.recorded', {
      consents: consents.map(({ contactId, purpose, granted }) => ({ contactId, purpose, granted })),
    });
  return result;
}

/**
 * Appends several events (e.g. every purpose of an accepted notice) with their audit entries: one
 * insert for the events and one audit append, which takes the audit chain's lock once.
 */
async function appendConsentEvents(
  tx: Db,
  dataKeys: ConsentDeps['dataKeys'],
  inputs: ConsentInput[],
  before: AuditEntry[] = [],
): Promise<void> {
  if (inputs.length === 0) return appendAuditEntries(tx, before);
  // Ids made here (uuid v4, as the column's default would) tie each audit entry to its event without
  // relying on the order of RETURNING rows.
  const events = inputs.map((input) => ({
    id: randomUUID(),
    contactId: input.contactId,
    purpose: input.purpose,
    granted: input.granted,
    policyVersion: input.policyVersion,
    textHash: input.textHash,
    language: input.language ?? null,
    sourceChannel: input.sourceChannel,
    evidence: input.evidence,
    recordedByAgentId: input.recordedByAgentId ?? null,
    ...(input.occurredAt ? { occurredAt: input.occurredAt } : {}),
  }));
  const evidence = await sealEvidence(dataKeys, events);
  await tx.insert(consentEvents).values(events.map((e, i) => ({ ...e, evidence: evidence[i]! })));
  await appendAuditEntries(tx, [
    ...before,
    ...inputs.map((input, i) => ({
      actorKind: input.actor.kind,
      actorId: input.actor.id,
      action: input.granted ? 'consent.granted' : 'consent.withdrawn',
      targetType: 'contact',
      targetId: input.contactId,
      details: {
        purpose: input.purpose,
        policyVersion: input.policyVersion,
        consentEventId: events[i]!.id,
        fields: [`consent.${input.purpose}`],
      },
    })),
  ]);
}

/** The current state: the latest event per purpose. */
export async function currentConsent(db: Db, contactId: string): Promise<ConsentState[]> {
  const events = await db
    .select()
    .from(consentEvents)
    .where(eq(consentEvents.contactId, contactId))
    .orderBy(desc(consentEvents.occurredAt), desc(consentEvents.id));
  const latest = new Map<ConsentPurpose, ConsentState>();
  for (const e of events) {
    if (latest.has(e.purpose)) continue;
    latest.set(e.purpose, {
      purpose: e.purpose,
      granted: e.granted,
      policyVersion: e.policyVersion,
      sourceChannel: e.sourceChannel,
      occurredAt: e.occurredAt.toISOString(),
    });
  }
  return [...latest.values()];
}

/** The whole ledger of one contact, oldest first. */
export async function consentHistory(
  { db, dataKeys }: { db: Db; dataKeys: Pick<DataKeys, 'decryptMany'> },
  contactId: string,
): Promise<ConsentEventView[]> {
  const rows = await db
    .select({ e: consentEvents, agentName: agents.name })
    .from(consentEvents)
    .leftJoin(agents, eq(agents.id, consentEvents.recordedByAgentId))
    .where(eq(consentEvents.contactId, contactId))
    .orderBy(asc(consentEvents.occurredAt));
  const evidence = await openEvidence(
    dataKeys,
    rows.map(({ e }) => e),
  );
  return rows.map(({ e, agentName }, i) => ({
    id: e.id,
    purpose: e.purpose,
    granted: e.granted,
    policyVersion: e.policyVersion,
    language: e.language,
    sourceChannel: e.sourceChannel,
    evidence: evidence[i]!,
    recordedBy: e.recordedByAgentId && agentName ? { id: e.recordedByAgentId, name: agentName } : null,
    occurredAt: e.occurredAt.toISOString(),
  }));
}

/** The evidence of a contact's events for one purpose, opened, newest first (a channel's replay check). */
export async function consentEvidence(
  { db, dataKeys }: { db: Db; dataKeys: DataKeys },
  contactId: string,
  purpose: ConsentPurpose,
): Promise<Evidence[]> {
  const rows = await db
    .select({ id: consentEvents.id, evidence: consentEvents.evidence })
    .from(consentEvents)
    .where(and(eq(consentEvents.contactId, contactId), eq(consentEvents.purpose, purpose)))
    .orderBy(desc(consentEvents.occurredAt));
  return openEvidence(dataKeys, rows);
}
