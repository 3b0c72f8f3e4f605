import { openContact } from '../domain/contact-fields.ts';
import { openMessageTexts, subjectView } from '../domain/message-text.ts';
import { openAddresses, withAddresses } from '../domain/identity-address.ts';
import { and, asc, eq, gt, inArray, or, type SQL } from 'drizzle-orm';
import type { DataKeys } from '../security/data-keys.ts';
import { openEvidence } from './consent-evidence.ts';
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
import { languageName, type Locale, type Translate } from '../../web/i18n/index.ts';
import { redactionParts } from '../../web/i18n/redaction.ts';
import { serverLocale, serverPrivacyTranslator } from '../../web/i18n/server-catalog.ts';

type Author = { id: string | null; contactId: string | null; sealedAddress: string | null };

const BATCH = 2_000;
/** A date and time as the person's language writes it, in UTC (the archive says so: no guess of their zone). */
const dateTime = (locale: Locale) => {
  const format = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
  return (d: Date) => `${format.format(d)} UTC`;
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
  '.removed { font-style: italic; text-decoration: underline dotted; }',
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

/**
 * The page's words in the person's language (web/i18n/locales/<lang>/server-privacy.json, "export"), escaped
 * for HTML: their arguments (a notice's version, a name) are the only values inside them.
 */
const exportWords =
  (translate: Translate) =>
  (key: string, values?: Record<string, unknown>): string =>
    esc(translate(`export.${key}`, values));

/** The person's language: the one stored for them, else the one of the last notice they answered, else English. */
export const personLocale = (stored: string | null | undefined, lastNotice: string | null | undefined): Locale =>
  serverLocale(stored ?? lastNotice);

/** A readable, printable history: what a person sees when they open their archive. Every value is escaped. */
export async function* renderExportHtml(
  { db, dataKeys }: { db: Db; dataKeys: DataKeys },
  contactId: string,
  exportedAt: string,
  files: FileEntry[],
  counts: Record<string, number>,
  tick: (n?: number) => void,
  view: HtmlCopy,
): AsyncGenerator<string> {
  let rendered = 0;
  const [contactRow] = await db.select().from(contacts).where(eq(contacts.id, contactId));
  const contact = contactRow && (await openContact(dataKeys, contactRow));
  rendered++;
  const stored = await db
    .select()
    .from(consentEvents)
    .where(eq(consentEvents.contactId, contactId))
    .orderBy(asc(consentEvents.occurredAt));
  const evidence = await openEvidence(dataKeys, stored);
  const consent = stored.map((e, i) => ({ ...e, evidence: evidence[i]! }));
  rendered += consent.length;
  const locale = personLocale(contact?.locale, consent.at(-1)?.language);
  const translate = serverPrivacyTranslator(locale);
  const t = exportWords(translate);
  const when = dateTime(locale);
  // The stored "[redacted]" code (web/i18n/redaction.ts) in the person's words, marked as something removed;
  // data.json keeps the code itself (documented in the README).
  const removed = `<span class="removed" title="${t('redactedExplained')}">${t('redacted')}</span>`;
  const bodyHtml = (body: string) =>
    redactionParts(body)
      .map((p) => (p.removed ? removed : esc(p.text)))
      .join('');
  yield (
    `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><title>${t('title')}</title>` +
    `<style>${STYLE}</style></head><body>`
  );
  yield (
    `<h1>${t('title')}</h1><p class="muted">${t('exported', { date: when(new Date(exportedAt)) })}</p>` +
    `<p>${t(view.copy === 'formal' ? 'formal' : 'selfService')}</p>`
  );
  yield (
    `<h2>${t('contactTitle')}</h2><table>` +
    field(t('name'), esc(contact?.name ?? '—')) +
    field(t('email'), esc(contact?.email ?? '—')) +
    field(t('phone'), esc(contact?.phone ?? '—')) +
    field(t('knownSince'), contact ? when(contact.createdAt) : '') +
    '</table>'
  );

  // Addresses are stored sealed; one whose key is gone shows as a dash, like a missing field.
  const identities = await withAddresses(
    dataKeys,
    await db.select().from(contactIdentities).where(eq(contactIdentities.contactId, contactId)),
  );
  rendered += identities.length;
  yield (
    `<h3>${t('identitiesTitle')}</h3><table>` +
    headRow(t('kind'), t('address'), t('since')) +
    identities.map((i) => row(t(`identityKinds.${i.kind}`), esc(i.address ?? '—'), when(i.createdAt))).join('') +
    '</table>'
  );

  yield (
    `<h2>${t('consentTitle')}</h2><table>` +
    headRow(t('when'), t('purpose'), t('decision'), t('policyVersion'), t('channel'), t('evidence')) +
    consent
      .map((c) =>
        row(
          when(c.occurredAt),
          t(`purposes.${c.purpose}`),
          t(c.granted ? 'granted' : 'withdrawn'),
          esc(c.policyVersion),
          t(`channels.${c.sourceChannel}`),
          esc(Object.values(c.evidence).join(', ')),
        ),
      )
      .join('') +
    '</table>' +
    Object.entries(view.notices)
      .map(
        ([hash, n]) =>
          `<h3>${t('noticeTitle', { version: n.policyVersion, language: languageName(n.language) })}</h3>` +
          `<blockquote lang="${esc(n.language)}">${esc(n.text)}</blockquote>` +
          `<p class="muted">${t('noticeNote', { version: n.policyVersion, hash })}</p>`,
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
  yield `<h2>${t('conversationsTitle', { count: convs.length })}</h2>`;
  for (const { c, inboxName } of convs) {
    const theirs = c.contactId === contactId ? undefined : inArray(messages.authorIdentityId, own);
    const opened = await subjectView(dataKeys, c.id, c.subject);
    const subject = opened.subject
      ? ` · ${esc(opened.subject)}`
      : opened.subjectUnreadable
        ? ` · <span class="muted">${t('textUnreadable')}</span>`
        : '';
    yield (
      `<h3>${t(`channels.${c.channel}`)} · ${esc(inboxName)}${subject}</h3>` +
      (theirs
        ? `<p class="muted">${t('othersConversation')}</p>`
        : `<p class="muted">${t('started', { date: when(c.createdAt), status: c.status })}</p>`) +
      (c.deletedAt && c.purgeAfter
        ? `<p class="trash"><strong>${t('inTrashLabel')}</strong> ` +
          `${t('inTrash', { since: when(c.deletedAt), purge: when(c.purgeAfter) })}</p>`
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
            author: {
              id: contactIdentities.id,
              contactId: contactIdentities.contactId,
              sealedAddress: contactIdentities.sealedAddress,
            },
          })
          .from(messages)
          .leftJoin(agents, eq(agents.id, messages.authorAgentId))
          .leftJoin(contactIdentities, eq(contactIdentities.id, messages.authorIdentityId))
          .where(and(eq(messages.conversationId, c.id), cursor, view.messages, theirs))
          .orderBy(asc(messages.createdAt), asc(messages.id))
          .limit(BATCH);
      let html = '';
      // Another participant's address names their messages here; only those are opened.
      const others = batch.flatMap((b) =>
        b.m.authorKind === 'contact' && b.author?.id && b.author.contactId !== contactId
          ? [{ id: b.author.id, sealedAddress: b.author.sealedAddress! }]
          : [],
      );
      const otherAddresses = new Map(
        (await openAddresses(dataKeys, others)).map((address, n) => [others[n]!.id, address] as const),
      );
      const texts = await openMessageTexts(
        dataKeys,
        batch.map((b) => b.m),
      );
      for (const [i, { agentName, author }] of batch.entries()) {
        const m = texts[i]!;
        // Another participant's message in this person's conversation (a Cc'd colleague) is theirs, not "You".
        const who =
          m.authorKind === 'contact'
            ? author?.contactId && author.contactId !== contactId
              ? (otherAddresses.get(author.id!) ?? '—')
              : translate('export.you')
            : m.authorKind === 'bot'
              ? translate('export.assistant')
              : (agentName ?? translate('export.support'));
        const cls =
          m.kind === 'note'
            ? 'msg note'
            : m.kind === 'event'
              ? 'msg event'
              : m.direction === 'outbound'
                ? 'msg out'
                : 'msg';
        const label = m.kind === 'note' ? `<span class="tag">${t('internalNote')}</span>` : '';
        html +=
          `<div class="${cls}"><div class="meta">${esc(who)} · ${when(m.createdAt)}${label}</div>` +
          (m.textUnreadable
            ? `<div class="body muted">${t('textUnreadable')}</div></div>`
            : `<div class="body">${bodyHtml(m.body)}</div></div>`);
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
    yield `<h2>${t('filesTitle')}</h2><ul>${files.map(item).join('')}</ul>`;
  }
  yield '</body></html>\n';
  const all = Object.values(counts).reduce((a, b) => a + b, 0);
  if (all > rendered) tick(all - rendered);
}
