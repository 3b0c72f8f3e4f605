import { and, asc, eq, gt, inArray, or, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import {
  agents,
  consentEvents,
  contactIdentities,
  contacts,
  conversations,
  inboxes,
  messages,
} from '../../drizzle/schema/index.ts';
import type { FileEntry } from './export-files.ts';
import type { NoticeText } from './notice-texts.ts';
import { escapeHtml as esc } from '../http/escape.ts';
import { languageName } from '../../web/i18n/index.ts';

type Author = { contactId: string | null; address: string | null };

const BATCH = 2_000;
const when = (d: Date) => d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
const channelLabel: Record<string, string> = {
  chat: 'Website chat',
  email: 'Email',
  sms: 'SMS',
  voice: 'Phone',
  slack: 'Slack',
};

const STYLE = [
  'body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2933;',
  '  max-width: 880px; margin: 32px auto; padding: 0 20px; }',
  'h1 { font-size: 26px; margin-bottom: 4px; }',
  'h2 { font-size: 19px; margin-top: 36px; border-bottom: 1px solid #d9dee3; padding-bottom: 6px; }',
  'h3 { font-size: 16px; margin: 28px 0 8px; } .muted { color: #616e7c; font-size: 13px; }',
  'table { border-collapse: collapse; width: 100%; font-size: 14px; }',
  'th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #eef0f2; vertical-align: top; }',
  '.msg { border: 1px solid #e4e7eb; border-radius: 8px; padding: 8px 12px; margin: 8px 0; page-break-inside: avoid; }',
  '.msg.out { background: #f0f4ff; } .msg.note { background: #fff8db; }',
  '.msg.event { border: 0; padding: 2px 12px; color: #616e7c; font-size: 13px; }',
  '.meta { font-size: 12px; color: #616e7c; margin-bottom: 4px; }',
  '.body { white-space: pre-wrap; overflow-wrap: anywhere; }',
  '.tag { display: inline-block; font-size: 11px; border-radius: 4px; padding: 0 6px; background: #e4e7eb;',
  '  margin-left: 6px; }',
  '@media print { body { margin: 0; max-width: none; } h2 { page-break-after: avoid; } }',
].join('\n');

/** Table rows from cells that are HTML already (escaped values, formatted dates). */
const headRow = (...names: string[]) => `<tr>${names.map((n) => `<th>${n}</th>`).join('')}</tr>`;
const row = (...cells: string[]) => `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
const field = (name: string, value: string) => `<tr><th>${name}</th><td>${value}</td></tr>`;

/**
 * Which copy the page is part of (server/privacy/export.ts): `messages` narrows the messages shown (the
 * self-service copy leaves internal notes and timeline events out); `notices` are the consent notices' texts.
 */
export type HtmlCopy = { copy: 'formal' | 'self-service'; messages?: SQL; notices: Record<string, NoticeText> };

/** A readable, printable history: what a person sees when they open their archive. Every value is escaped. */
export async function* renderExportHtml(
  db: Db,
  contactId: string,
  exportedAt: string,
  files: FileEntry[],
  counts: Record<string, number>,
  tick: (n?: number) => void,
  view: HtmlCopy,
): AsyncGenerator<string> {
  let rendered = 0;
  const [contact] = await db.select().from(contacts).where(eq(contacts.id, contactId));
  rendered++;
  yield (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Your support data</title>' +
    `<style>${STYLE}</style></head><body>`
  );
  yield (
    `<h1>Your support data</h1><p class="muted">Exported ${esc(exportedAt)}. ` +
    'The same data, complete and machine-readable, is in data.json.</p>' +
    (view.copy === 'formal'
      ? '<p>This is the complete copy of your data, with our staff’s internal notes and the timeline of each ' +
        'conversation.</p>'
      : '<p>This copy holds what you and our support team said to each other and the data we hold about you. ' +
        'Our staff’s internal notes and the conversation timeline are not in it; you receive them too when you ' +
        'request a copy of your data from us.</p>')
  );
  yield (
    '<h2>Contact details</h2><table>' +
    field('Name', esc(contact?.name ?? '—')) +
    field('Email', esc(contact?.email ?? '—')) +
    field('Phone', esc(contact?.phone ?? '—')) +
    field('Known since', contact ? when(contact.createdAt) : '') +
    '</table>'
  );

  const identities = await db.select().from(contactIdentities).where(eq(contactIdentities.contactId, contactId));
  rendered += identities.length;
  yield (
    '<h3>How we recognise you on each channel</h3><table>' +
    headRow('Kind', 'Address', 'Since') +
    identities.map((i) => row(esc(i.kind), esc(i.address), when(i.createdAt))).join('') +
    '</table>'
  );

  const consent = await db
    .select()
    .from(consentEvents)
    .where(eq(consentEvents.contactId, contactId))
    .orderBy(asc(consentEvents.occurredAt));
  rendered += consent.length;
  yield (
    '<h2>Consent history</h2><table>' +
    headRow('When', 'Purpose', 'Decision', 'Policy version', 'Channel', 'Evidence') +
    consent
      .map((c) =>
        row(
          when(c.occurredAt),
          esc(c.purpose),
          c.granted ? 'granted' : 'withdrawn / declined',
          esc(c.policyVersion),
          esc(channelLabel[c.sourceChannel]),
          esc(Object.values(c.evidence).join(', ')),
        ),
      )
      .join('') +
    '</table>' +
    Object.entries(view.notices)
      .map(
        ([hash, n]) =>
          `<h3>Consent notice, policy ${esc(n.policyVersion)} (${esc(languageName(n.language))})</h3>` +
          `<blockquote lang="${esc(n.language)}">${esc(n.text)}</blockquote>` +
          `<p class="muted">The text the consent events above of policy ${esc(n.policyVersion)} refer to ` +
          `(SHA-256 ${esc(hash)}).</p>`,
      )
      .join('')
  );

  const own = identities.map((i) => i.id);
  const convs = await db
    .select({ c: conversations, inboxName: inboxes.name })
    .from(conversations)
    .innerJoin(inboxes, eq(inboxes.id, conversations.inboxId))
    .where(
      or(
        eq(conversations.contactId, contactId),
        // The conversations someone else started in which this person wrote (a reply-all, a thread reply):
        // only their own messages there are theirs to receive.
        inArray(
          conversations.id,
          db.select({ id: messages.conversationId }).from(messages).where(inArray(messages.authorIdentityId, own)),
        ),
      ),
    )
    .orderBy(asc(conversations.createdAt));
  // A conversation row of someone else's is not part of the person's data (counts): only their messages are.
  rendered += convs.filter(({ c }) => c.contactId === contactId).length;
  tick(rendered);
  yield `<h2>Conversations (${convs.length})</h2>`;
  for (const { c, inboxName } of convs) {
    const theirs = c.contactId === contactId ? undefined : inArray(messages.authorIdentityId, own);
    const subject = c.subject ? ` · ${esc(c.subject)}` : '';
    yield (
      `<h3>${esc(channelLabel[c.channel])} · ${esc(inboxName)}${subject}</h3>` +
      (theirs
        ? `<p class="muted">A conversation someone else started, in which you took part: your messages in it.</p>`
        : `<p class="muted">Started ${when(c.createdAt)} · status ${esc(c.status)}</p>`) +
      (c.deletedAt && c.purgeAfter
        ? `<p class="trash"><strong>In the trash</strong> since ${when(c.deletedAt)}: our staff deleted this ` +
          `conversation. It is deleted for good on ${when(c.purgeAfter)} unless it is restored before then.</p>`
        : '')
    );
    let after: { at: Date; id: string } | null = null;
    for (;;) {
      const cursor: SQL | undefined = after
        ? or(gt(messages.createdAt, after.at), and(eq(messages.createdAt, after.at), gt(messages.id, after.id)))
        : undefined;
      const batch: Array<{ m: typeof messages.$inferSelect; agentName: string | null; author: Author | null }> =
        await db
          .select({
            m: messages,
            agentName: agents.name,
            author: { contactId: contactIdentities.contactId, address: contactIdentities.address },
          })
          .from(messages)
          .leftJoin(agents, eq(agents.id, messages.authorAgentId))
          .leftJoin(contactIdentities, eq(contactIdentities.id, messages.authorIdentityId))
          .where(and(eq(messages.conversationId, c.id), cursor, view.messages, theirs))
          .orderBy(asc(messages.createdAt), asc(messages.id))
          .limit(BATCH);
      let html = '';
      for (const { m, agentName, author } of batch) {
        // Another participant's message in this person's conversation (a Cc'd colleague) is theirs, not "You".
        const who =
          m.authorKind === 'contact'
            ? author?.contactId && author.contactId !== contactId
              ? author.address
              : 'You'
            : m.authorKind === 'bot'
              ? 'Assistant'
              : (agentName ?? 'Support');
        const cls =
          m.kind === 'note'
            ? 'msg note'
            : m.kind === 'event'
              ? 'msg event'
              : m.direction === 'outbound'
                ? 'msg out'
                : 'msg';
        const label = m.kind === 'note' ? '<span class="tag">internal note</span>' : '';
        html +=
          `<div class="${cls}"><div class="meta">${esc(who)} · ${when(m.createdAt)}${label}</div>` +
          `<div class="body">${esc(m.body)}</div></div>`;
      }
      rendered += batch.length;
      tick(batch.length);
      yield html;
      if (batch.length < BATCH) break;
      const last: typeof messages.$inferSelect = batch.at(-1)!.m;
      after = { at: last.createdAt, id: last.id };
    }
  }
  if (files.length) {
    const item = (f: FileEntry) =>
      `<li><a href="${esc(f.path)}">${esc(f.path.split('/').pop())}</a> ` +
      `<span class="muted">${esc(f.contentType)}</span></li>`;
    yield `<h2>Files</h2><ul>${files.map(item).join('')}</ul>`;
  }
  yield '</body></html>\n';
  const all = Object.values(counts).reduce((a, b) => a + b, 0);
  if (all > rendered) tick(all - rendered);
}
