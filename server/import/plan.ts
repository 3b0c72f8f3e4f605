import { findPhoneNumbersInText } from 'libphonenumber-js';
import { inArray } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { retentionPolicies } from '../../drizzle/schema/index.ts';
import { detectPii } from '../privacy/pii/detect.ts';
import { replaceFindings } from '../privacy/pii/apply.ts';
import { piiKinds, type PiiKind } from '../privacy/pii/types.ts';
import type { PiiPolicy } from '../privacy/pii/policy.ts';
import type { Source, SourceConversation } from './source.ts';

export type PlanOptions = {
  /** Leave out conversations of contacts with no activity since this date (former customers). */
  inactiveSince: Date | null;
  /** Leave out conversations closed more than this many years ago. */
  closedOlderThanYears: number | null;
  /** Custom fields to carry over (kept on the conversation's first message); every other one is dropped. */
  keepFields: string[];
  /** Redact every detector's findings on import, whatever the inbox's policy says. */
  redactOnImport: boolean;
  now: Date;
};

export type ExclusionReason = 'retention' | 'inactive_contact' | 'closed_long_ago' | 'no_customer_message';

/** The minimization plan: what would come in and what would not. Counts and names only, never a value. */
export type ImportPlan = {
  source: Source['system'];
  files: Array<{ name: string; bytes: number; sha256: string }>;
  options: { inactiveSince: string | null; closedOlderThanYears: number | null; keepFields: string[] };
  inSource: { contacts: number; conversations: number; messages: number; attachments: number };
  included: {
    contacts: number;
    conversations: number;
    messages: number;
    agentMessages: number;
    notes: number;
    attachments: number;
  };
  excluded: Record<ExclusionReason, { conversations: number; messages: number }>;
  retention: { messagesDays: number | null; inactiveContactsDays: number | null };
  fieldsDropped: Record<string, Record<string, number>>;
  fieldsKept: string[];
  pii: Record<'emails' | 'phones' | PiiKind, number>;
  redactOnImport: boolean;
  piiPolicy: PiiPolicy;
  consent: { events: Record<string, number>; withoutEvidence: Record<string, number>; contactsWithNone: number };
  attachmentsMissing: number;
};

const DAY = 86_400_000;
const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;

/** Why a conversation stays out, or null when it comes in. */
function exclusion(
  c: SourceConversation,
  lastActivity: Date | null,
  options: PlanOptions,
  retention: ImportPlan['retention'],
): ExclusionReason | null {
  if (!c.messages.some((m) => m.author === 'contact')) return 'no_customer_message';
  const last = Math.max(c.createdAt.getTime(), ...c.messages.map((m) => m.occurredAt.getTime()));
  if (retention.messagesDays !== null && last < options.now.getTime() - retention.messagesDays * DAY)
    return 'retention';
  const active = Math.max(last, lastActivity?.getTime() ?? 0);
  if (retention.inactiveContactsDays !== null && active < options.now.getTime() - retention.inactiveContactsDays * DAY)
    return 'retention';
  if (
    options.closedOlderThanYears !== null &&
    c.closedAt &&
    c.closedAt.getTime() < options.now.getTime() - options.closedOlderThanYears * 365.25 * DAY
  )
    return 'closed_long_ago';
  if (options.inactiveSince && active < options.inactiveSince.getTime()) return 'inactive_contact';
  return null;
}

/** The retention periods in force (a disabled policy keeps data forever, so it excludes nothing). */
export async function retentionInForce(db: Db): Promise<ImportPlan['retention']> {
  const rows = await db
    .select()
    .from(retentionPolicies)
    .where(inArray(retentionPolicies.dataClass, ['messages', 'inactive_contacts']));
  const days = (cls: string) => {
    const r = rows.find((x) => x.dataClass === cls);
    return r?.enabled ? r.retainDays : null;
  };
  return { messagesDays: days('messages'), inactiveContactsDays: days('inactive_contacts') };
}

export function makePlan(
  source: Source,
  files: ImportPlan['files'],
  options: PlanOptions,
  retention: ImportPlan['retention'],
  piiPolicy: PiiPolicy,
  fileExists: (path: string) => boolean,
): { plan: ImportPlan; conversations: SourceConversation[] } {
  const excluded = Object.fromEntries(
    (['retention', 'inactive_contact', 'closed_long_ago', 'no_customer_message'] as const).map((r) => [
      r,
      { conversations: 0, messages: 0 },
    ]),
  ) as ImportPlan['excluded'];
  const included: SourceConversation[] = [];
  for (const c of source.conversations) {
    const reason = exclusion(c, source.contacts.get(c.contactKey)?.lastActivityAt ?? null, options, retention);
    if (reason) {
      excluded[reason].conversations++;
      excluded[reason].messages += c.messages.length;
    } else included.push(c);
  }
  const contactKeys = new Set(included.map((c) => c.contactKey));
  const messages = included.flatMap((c) => c.messages);
  const pii = Object.fromEntries([['emails', 0], ['phones', 0], ...piiKinds.map((k) => [k, 0])]) as ImportPlan['pii'];
  for (const m of messages) {
    const findings = detectPii(m.text);
    for (const f of findings) pii[f.kind]++;
    // Counted in the text without the findings: a card's digits are no phone number.
    const rest = replaceFindings(m.text, findings);
    pii.emails += rest.match(EMAIL)?.length ?? 0;
    pii.phones += findPhoneNumbersInText(rest, 'DE').length;
  }
  const consent: ImportPlan['consent'] = { events: {}, withoutEvidence: {}, contactsWithNone: 0 };
  for (const key of contactKeys) {
    const contact = source.contacts.get(key);
    if (!contact?.consents.length) consent.contactsWithNone++;
    for (const c of contact?.consents ?? []) consent.events[c.purpose] = (consent.events[c.purpose] ?? 0) + 1;
    for (const p of contact?.consentsWithoutEvidence ?? [])
      consent.withoutEvidence[p] = (consent.withoutEvidence[p] ?? 0) + 1;
  }
  const fieldsDropped: ImportPlan['fieldsDropped'] = {};
  for (const [entity, fields] of Object.entries(source.unmappedFields)) {
    const dropped = Object.entries(fields).filter(([name]) => !options.keepFields.includes(name));
    if (dropped.length) fieldsDropped[entity] = Object.fromEntries(dropped);
  }
  const attachments = messages.flatMap((m) => m.attachments);
  const allAttachments = source.conversations.flatMap((c) => c.messages.flatMap((m) => m.attachments)).length;
  return {
    conversations: included,
    plan: {
      source: source.system,
      files,
      options: {
        inactiveSince: options.inactiveSince?.toISOString() ?? null,
        closedOlderThanYears: options.closedOlderThanYears,
        keepFields: options.keepFields,
      },
      inSource: {
        contacts: source.contacts.size,
        conversations: source.conversations.length,
        messages: source.conversations.reduce((n, c) => n + c.messages.length, 0),
        attachments: allAttachments,
      },
      included: {
        contacts: contactKeys.size,
        conversations: included.length,
        messages: messages.length,
        agentMessages: messages.filter((m) => m.author === 'agent').length,
        notes: messages.filter((m) => m.author === 'note').length,
        attachments: attachments.filter((a) => a.path && fileExists(a.path)).length,
      },
      excluded,
      retention,
      fieldsDropped,
      fieldsKept: options.keepFields,
      pii,
      redactOnImport: options.redactOnImport,
      piiPolicy,
      consent,
      attachmentsMissing: attachments.filter((a) => !a.path || !fileExists(a.path)).length,
    },
  };
}
