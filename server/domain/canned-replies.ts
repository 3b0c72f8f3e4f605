import { openContact } from './contact-fields.ts';
import { identityKeysOf } from './identity-address.ts';
import { and, asc, eq, isNull, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { agents, cannedReplies, contacts, conversations, inboxes } from '../../drizzle/schema/index.ts';
import { appendAudit } from '../privacy/audit.ts';
import { DomainError, badRequest, conflict, forbidden, notFound } from './errors.ts';
import { assertVisible, type InboxIds } from './scope.ts';
import { ADMIN_DISPLAY_NAME, nameInLanguage } from './admin-name.ts';

/**
 * Canned replies: a shortcut, a title and one text per language, shared with everyone or an agent's own. When an
 * agent inserts one, its {{variables}} are filled from what the inbox knows; a value it does not know stays a
 * visible placeholder the agent must fill in (the composer will not send it), never a guess.
 */
export const replyLanguages = ['en', 'de', 'fr', 'fi', 'sv'] as const;
export type ReplyLanguage = (typeof replyLanguages)[number];

/** The variables a reply may use, and where each comes from. */
export const replyVariables = [
  'contact.name',
  'contact.firstName',
  'contact.email',
  'agent.name',
  'agent.firstName',
  'inbox.name',
] as const;
export type ReplyVariable = (typeof replyVariables)[number];

export type CannedReplyView = {
  id: string;
  shortcut: string;
  title: string;
  /** Shared with every agent, or the signed-in agent's own. */
  shared: boolean;
  variants: Partial<Record<ReplyLanguage, string>>;
  updatedAt: string;
};

type Row = typeof cannedReplies.$inferSelect;
const toView = (r: Row): CannedReplyView => ({
  id: r.id,
  shortcut: r.shortcut,
  title: r.title,
  shared: r.ownerId === null,
  variants: r.variants,
  updatedAt: r.updatedAt.toISOString(),
});

type Actor = { id: string; role: string };
export type CannedReplyInput = {
  shortcut: string;
  title: string;
  shared: boolean;
  variants: Partial<Record<ReplyLanguage, string>>;
};

/** Shared replies are the team's: managers and admins change them; every agent keeps their own. */
const mayEditShared = (actor: Actor) => actor.role === 'manager' || actor.role === 'admin';

function clean(input: CannedReplyInput): CannedReplyInput {
  const variants = Object.fromEntries(
    Object.entries(input.variants)
      .map(([language, text]) => [language, (text ?? '').trim()] as const)
      .filter(([, text]) => text.length > 0),
  );
  if (Object.keys(variants).length === 0) throw badRequest('no_text', 'Write the reply in at least one language');
  const shortcut = input.shortcut.trim().replace(/^\//, '').toLowerCase();
  if (!/^[\p{L}\p{N}_-]{1,40}$/u.test(shortcut))
    throw badRequest('invalid_shortcut', 'A shortcut is one word: letters, digits, - or _');
  return { ...input, shortcut, title: input.title.trim(), variants };
}

export async function listCannedReplies(db: Db, agentId: string): Promise<CannedReplyView[]> {
  const rows = await db
    .select()
    .from(cannedReplies)
    .where(or(isNull(cannedReplies.ownerId), eq(cannedReplies.ownerId, agentId)))
    .orderBy(asc(cannedReplies.shortcut));
  return rows.map(toView);
}

const duplicate = () => conflict('shortcut_taken', 'Another reply already uses this shortcut');
const isUniqueViolation = (err: unknown) => {
  const e = err as { code?: string; cause?: { code?: string } };
  return e.code === '23505' || e.cause?.code === '23505';
};

export async function createCannedReply(db: Db, actor: Actor, raw: CannedReplyInput): Promise<CannedReplyView> {
  const input = clean(raw);
  if (input.shared && !mayEditShared(actor)) throw forbidden('Only managers and admins add shared replies');
  try {
    return await db.transaction(async (tx) => {
      const [row] = await tx
        .insert(cannedReplies)
        .values({
          ownerId: input.shared ? null : actor.id,
          shortcut: input.shortcut,
          title: input.title,
          variants: input.variants,
        })
        .returning();
      await audit(tx, actor, 'canned_reply.created', row!.id);
      return toView(row!);
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicate();
    throw err;
  }
}

/** A reply the actor may change: their own, or a shared one when they are a manager or admin. */
async function editable(db: Db, actor: Actor, id: string): Promise<Row> {
  const [row] = await db.select().from(cannedReplies).where(eq(cannedReplies.id, id));
  // Someone else's personal reply does not exist for this agent.
  if (!row || (row.ownerId !== null && row.ownerId !== actor.id)) throw notFound('Canned reply');
  if (row.ownerId === null && !mayEditShared(actor)) throw forbidden('Only managers and admins change shared replies');
  return row;
}

export async function updateCannedReply(
  db: Db,
  actor: Actor,
  id: string,
  raw: CannedReplyInput,
): Promise<CannedReplyView> {
  const input = clean(raw);
  const before = await editable(db, actor, id);
  if (input.shared !== (before.ownerId === null) && !mayEditShared(actor))
    throw forbidden('Only managers and admins share replies');
  try {
    return await db.transaction(async (tx) => {
      const [row] = await tx
        .update(cannedReplies)
        .set({
          ownerId: input.shared ? null : (before.ownerId ?? actor.id),
          shortcut: input.shortcut,
          title: input.title,
          variants: input.variants,
          updatedAt: new Date(),
        })
        .where(eq(cannedReplies.id, id))
        .returning();
      await audit(tx, actor, 'canned_reply.updated', id);
      return toView(row!);
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicate();
    throw err;
  }
}

export async function deleteCannedReply(db: Db, actor: Actor, id: string): Promise<void> {
  await editable(db, actor, id);
  await db.transaction(async (tx) => {
    await tx.delete(cannedReplies).where(eq(cannedReplies.id, id));
    await audit(tx, actor, 'canned_reply.deleted', id);
  });
}

function audit(tx: Parameters<Parameters<Db['transaction']>[0]>[0], actor: Actor, action: string, id: string) {
  return appendAudit(tx, {
    actorKind: 'agent',
    actorId: actor.id,
    action,
    targetType: 'canned_reply',
    targetId: id,
    details: {},
  });
}

export type RenderedReply = {
  text: string;
  language: ReplyLanguage;
  /** How the language was chosen: the conversation's (the contact's known locale), the agent's pick, a fallback. */
  languageSource: 'conversation' | 'requested' | 'fallback';
  /** Variables left as {{placeholders}}: unknown names, or data the inbox does not have. */
  unfilled: string[];
};

const firstName = (name: string | null | undefined) => name?.trim().split(/\s+/)[0] || null;
const asLanguage = (value: string | null | undefined): ReplyLanguage | null => {
  const code = value?.slice(0, 2).toLowerCase();
  return (replyLanguages as readonly string[]).includes(code ?? '') ? (code as ReplyLanguage) : null;
};

/** Picks the variant: the conversation's language if known and written, else the agent's pick, else English. */
export function chooseVariant(
  variants: Partial<Record<ReplyLanguage, string>>,
  conversationLanguage: ReplyLanguage | null,
  requested: ReplyLanguage | undefined,
): { language: ReplyLanguage; source: RenderedReply['languageSource'] } {
  if (requested && variants[requested]) return { language: requested, source: 'requested' };
  if (conversationLanguage && variants[conversationLanguage])
    return { language: conversationLanguage, source: 'conversation' };
  const fallback = variants.en ? 'en' : replyLanguages.find((l) => variants[l])!;
  return { language: fallback, source: 'fallback' };
}

/** Fills the known variables; anything else stays as written, so the agent sees it and fills it in. */
export function fillVariables(template: string, values: Partial<Record<ReplyVariable, string | null>>) {
  const unfilled = new Set<string>();
  const text = template.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (whole, name: string) => {
    const value = (values as Record<string, string | null | undefined>)[name];
    if (value) return value;
    unfilled.add(name);
    return `{{${name}}}`;
  });
  return { text, unfilled: [...unfilled] };
}

/** One reply, filled in for one conversation the agent can see. */
export async function renderCannedReply(
  db: Db,
  agent: { id: string; name: string; inboxIds: InboxIds },
  replyId: string,
  conversationId: string,
  requested?: ReplyLanguage,
): Promise<RenderedReply> {
  const [reply] = await db
    .select()
    .from(cannedReplies)
    .where(and(eq(cannedReplies.id, replyId), or(isNull(cannedReplies.ownerId), eq(cannedReplies.ownerId, agent.id))));
  if (!reply) throw notFound('Canned reply');
  await assertVisible(db, agent.inboxIds, 'conversation', conversationId);
  const [known] = await db
    .select({
      contactId: contacts.id,
      contactSealedName: contacts.sealedName,
      contactSealedEmail: contacts.sealedEmail,
      locale: contacts.locale,
      inboxName: inboxes.name,
      agentName: sql<string>`(select ${agents.name} from ${agents} where ${agents.id} = ${agent.id})`,
    })
    .from(conversations)
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .innerJoin(inboxes, eq(inboxes.id, conversations.inboxId))
    .where(eq(conversations.id, conversationId));
  if (!known) throw notFound('Conversation');
  // The contact's fields for the placeholders, opened (contact-fields.ts); unreadable ones fill in as empty.
  const opened = await openContact(identityKeysOf(db).dataKeys, {
    id: known.contactId,
    sealedName: known.contactSealedName,
    sealedEmail: known.contactSealedEmail,
  });
  const { language, source } = chooseVariant(reply.variants, asLanguage(known.locale), requested);
  const template = reply.variants[language];
  if (!template) throw new DomainError(409, 'no_text', 'This reply has no text');
  // The untouched admin placeholder is the team's name in the reply's language, whole (it has no first name).
  const ownName = known.agentName ?? agent.name;
  const agentName = nameInLanguage(ownName, language);
  const teamPlaceholder = ownName === ADMIN_DISPLAY_NAME;
  const filled = fillVariables(template, {
    'contact.name': opened.name,
    'contact.firstName': firstName(opened.name),
    'contact.email': opened.email,
    'agent.name': agentName,
    'agent.firstName': teamPlaceholder ? agentName : firstName(agentName),
    'inbox.name': known.inboxName,
  });
  return { ...filled, language, languageSource: source };
}
