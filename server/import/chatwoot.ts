import { basename, join } from 'node:path';
import {
  asDate,
  consentFromFields,
  countUnmapped,
  type Source,
  type SourceContact,
  type SourceMessage,
} from './source.ts';

/**
 * A Chatwoot export in the shapes of its application API: contacts (`{"payload": [contact…]}`), conversations
 * (`{"data": {"payload": [conversation…]}}`) and messages (`{"payload": [message…]}`, each with its
 * `conversation_id`). Times are Unix seconds. message_type 0 is the contact's, 1 an agent's; 2 (activity) and
 * 3 (template) are Chatwoot's own and are not imported; `private` messages are notes. Attachment files are read
 * from `filesDir/<attachment id>/<file name of data_url>`.
 */
type Row = Record<string, unknown> & { id: number };

const CONTACT_FIELDS = ['id', 'name', 'email', 'phone_number', 'last_activity_at', 'created_at', 'custom_attributes'];
const CONVERSATION_FIELDS = [
  'id',
  'status',
  'meta',
  'created_at',
  'last_activity_at',
  'messages',
  'timestamp',
  'custom_attributes',
];
const MESSAGE_FIELDS = [
  'id',
  'content',
  'message_type',
  'created_at',
  'private',
  'sender',
  'attachments',
  'conversation_id',
];

export function readChatwoot(files: Array<{ name: string; json: unknown }>, filesDir: string | null): Source {
  const contactRows: Row[] = [];
  const conversationRows: Row[] = [];
  const messageRows: Row[] = [];
  for (const { name, json } of files) {
    const doc = json as { payload?: Row[]; data?: { payload?: Row[] } };
    const rows = doc.data?.payload ?? doc.payload;
    if (!Array.isArray(rows)) throw new Error(`${basename(name)}: not a Chatwoot API response with a payload`);
    for (const row of rows) {
      if ('message_type' in row) messageRows.push(row);
      else if ('inbox_id' in row || 'meta' in row) conversationRows.push(row);
      else contactRows.push(row);
    }
  }
  const unmappedFields: Source['unmappedFields'] = {};
  const contacts = new Map<string, SourceContact>();
  for (const c of contactRows) {
    countUnmapped(unmappedFields, 'contact', c, CONTACT_FIELDS);
    const consent = consentFromFields((c.custom_attributes as Record<string, unknown>) ?? {});
    countUnmapped(unmappedFields, 'custom_attributes', consent.rest, []);
    contacts.set(String(c.id), {
      key: String(c.id),
      name: typeof c.name === 'string' ? c.name : null,
      email: typeof c.email === 'string' ? c.email : null,
      phone: typeof c.phone_number === 'string' ? c.phone_number : null,
      lastActivityAt: asDate(c.last_activity_at),
      consents: consent.consents,
      consentsWithoutEvidence: consent.withoutEvidence,
      fields: consent.rest,
    });
  }
  const byConversation = new Map<string, Row[]>();
  for (const m of [...messageRows, ...conversationRows.flatMap((c) => (c.messages as Row[]) ?? [])]) {
    const key = String(m.conversation_id);
    const list = byConversation.get(key) ?? [];
    if (!list.some((x) => x.id === m.id)) list.push(m);
    byConversation.set(key, list);
  }
  return {
    system: 'chatwoot',
    contacts,
    unmappedFields,
    conversations: conversationRows.map((c) => {
      countUnmapped(unmappedFields, 'conversation', c, CONVERSATION_FIELDS);
      const attributes = (c.custom_attributes as Record<string, unknown>) ?? {};
      countUnmapped(unmappedFields, 'conversation_custom_attributes', attributes, []);
      const sender = (c.meta as { sender?: { id?: number } } | undefined)?.sender;
      const messages = (byConversation.get(String(c.id)) ?? [])
        .filter((m) => m.message_type === 0 || m.message_type === 1)
        .sort((a, b) => Number(a.created_at) - Number(b.created_at) || a.id - b.id)
        .map((m): SourceMessage => {
          countUnmapped(unmappedFields, 'message', m, MESSAGE_FIELDS);
          const from = m.sender as { name?: string } | undefined;
          return {
            key: String(m.id),
            author: m.private ? 'note' : m.message_type === 0 ? 'contact' : 'agent',
            authorName: from?.name ?? null,
            text: String(m.content ?? ''),
            occurredAt: asDate(m.created_at) ?? new Date(0),
            attachments: ((m.attachments as Row[]) ?? []).map((a) => {
              const filename = basename(new URL(String(a.data_url ?? 'file:///file')).pathname) || 'file';
              return {
                key: String(a.id),
                filename,
                contentType: contentTypeOf(filename),
                path: filesDir ? join(filesDir, String(a.id), filename) : null,
              };
            }),
          };
        });
      return {
        key: String(c.id),
        contactKey: String(sender?.id ?? ''),
        subject: null,
        createdAt: asDate(c.created_at ?? c.timestamp) ?? new Date(0),
        closedAt: c.status === 'resolved' ? asDate(c.last_activity_at) : null,
        fields: {
          ...Object.fromEntries(Object.entries(c).filter(([k]) => !CONVERSATION_FIELDS.includes(k))),
          ...attributes,
        },
        messages,
      };
    }),
  };
}

const TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  pdf: 'application/pdf',
  txt: 'text/plain',
};
/** Chatwoot names only a file kind (image, file); the name's extension says more. */
const contentTypeOf = (filename: string) =>
  TYPES[filename.split('.').pop()?.toLowerCase() ?? ''] ?? 'application/octet-stream';
