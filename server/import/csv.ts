import { basename, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { ConsentPurpose } from '../../drizzle/schema/enums.ts';
import { asDate, countUnmapped, type Source, type SourceContact, type SourceConversation } from './source.ts';

/**
 * The generic CSV (README "Importing from another helpdesk"): one row per message, a header row, UTF-8, RFC 4180
 * quoting. Columns: conversation_id, message_id, occurred_at (ISO 8601), author (contact | agent | note), text
 * (required); contact_id, contact_name, contact_email, contact_phone, author_name, subject, status (open | closed),
 * closed_at, contact_last_activity_at, consent_purpose, consent_granted_at, consent_evidence, attachment (a file
 * name under the files directory) (optional). Any other column is a custom field: dropped unless kept.
 */
export const CSV_COLUMNS = [
  'conversation_id',
  'message_id',
  'occurred_at',
  'author',
  'text',
  'contact_id',
  'contact_name',
  'contact_email',
  'contact_phone',
  'author_name',
  'subject',
  'status',
  'closed_at',
  'contact_last_activity_at',
  'consent_purpose',
  'consent_granted_at',
  'consent_evidence',
  'attachment',
] as const;
const REQUIRED = ['conversation_id', 'message_id', 'occurred_at', 'author', 'text'];

export function readCsv(files: Array<{ name: string; text: string }>, filesDir: string | null): Source {
  const contacts = new Map<string, SourceContact>();
  const conversations = new Map<string, SourceConversation>();
  const unmappedFields: Source['unmappedFields'] = {};
  for (const { name, text } of files) {
    const rows = parse(text, { columns: true, skip_empty_lines: true, bom: true, trim: false }) as Array<
      Record<string, string>
    >;
    const missing = REQUIRED.filter((c) => rows.length && !(c in rows[0]!));
    if (missing.length) throw new Error(`${basename(name)}: missing column(s) ${missing.join(', ')}`);
    for (const row of rows) {
      countUnmapped(unmappedFields, 'row', row, CSV_COLUMNS);
      const contactKey =
        row.contact_id || row.contact_email || row.contact_phone || `conversation:${row.conversation_id}`;
      const contact = contacts.get(contactKey) ?? {
        key: contactKey,
        name: null,
        email: null,
        phone: null,
        lastActivityAt: null,
        consents: [],
        consentsWithoutEvidence: [],
        fields: {},
      };
      if (row.author === 'contact') {
        contact.name ??= row.contact_name || row.author_name || null;
        contact.email ??= row.contact_email || null;
        contact.phone ??= row.contact_phone || null;
      }
      const activity = asDate(row.contact_last_activity_at);
      if (activity && (!contact.lastActivityAt || activity > contact.lastActivityAt)) contact.lastActivityAt = activity;
      const purpose = row.consent_purpose as ConsentPurpose | undefined;
      if (purpose && !contact.consents.some((c) => c.purpose === purpose)) {
        const at = asDate(row.consent_granted_at);
        if (at && row.consent_evidence?.trim())
          contact.consents.push({ purpose, grantedAt: at, evidence: row.consent_evidence.trim() });
        else if (!contact.consentsWithoutEvidence.includes(purpose)) contact.consentsWithoutEvidence.push(purpose);
      }
      contacts.set(contactKey, contact);
      const conversation = conversations.get(row.conversation_id!) ?? {
        key: row.conversation_id!,
        contactKey,
        subject: row.subject || null,
        createdAt: asDate(row.occurred_at) ?? new Date(0),
        closedAt: null,
        fields: {},
        messages: [],
      };
      if (row.status === 'closed') conversation.closedAt = asDate(row.closed_at) ?? asDate(row.occurred_at);
      for (const [k, v] of Object.entries(row))
        if (!(CSV_COLUMNS as readonly string[]).includes(k) && v !== '') conversation.fields[k] = v;
      const author = row.author === 'agent' || row.author === 'note' ? row.author : 'contact';
      conversation.messages.push({
        key: row.message_id!,
        author,
        authorName: row.author_name || null,
        text: row.text ?? '',
        occurredAt: asDate(row.occurred_at) ?? new Date(0),
        attachments: row.attachment
          ? [
              {
                key: `${row.message_id}:${row.attachment}`,
                filename: basename(row.attachment),
                contentType: 'application/octet-stream',
                path: filesDir ? join(filesDir, basename(row.attachment)) : null,
              },
            ]
          : [],
      });
      conversations.set(row.conversation_id!, conversation);
    }
  }
  for (const c of conversations.values()) c.messages.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  return { system: 'csv', contacts, conversations: [...conversations.values()], unmappedFields };
}
