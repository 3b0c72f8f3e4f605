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
 * A Zendesk export in the shapes of its documented APIs: the incremental user export (`{"users": [...]}`), the
 * incremental ticket export (`{"tickets": [...]}`) and, per ticket, List Comments (`{"comments": [...]}`, the ticket
 * id in the file name `comments-<ticket id>.json` or in a top-level `ticket_id`). Attachment files are read from
 * `filesDir/<attachment id>/<file_name>` (download them beside the export); one that is not there is reported.
 */
type ZUser = Record<string, unknown> & { id: number; name?: string; email?: string; phone?: string; role?: string };
type ZTicket = Record<string, unknown> & { id: number; requester_id: number; status: string };
type ZComment = Record<string, unknown> & { id: number; author_id: number; public?: boolean };

const USER_FIELDS = [
  'id',
  'name',
  'email',
  'phone',
  'role',
  'created_at',
  'updated_at',
  'last_login_at',
  'user_fields',
];
const TICKET_FIELDS = ['id', 'subject', 'status', 'requester_id', 'created_at', 'updated_at', 'description'];
const COMMENT_FIELDS = [
  'id',
  'type',
  'author_id',
  'body',
  'html_body',
  'plain_body',
  'public',
  'attachments',
  'created_at',
];

export function readZendesk(files: Array<{ name: string; json: unknown }>, filesDir: string | null): Source {
  const users = new Map<number, ZUser>();
  const tickets: ZTicket[] = [];
  const comments = new Map<number, ZComment[]>();
  for (const { name, json } of files) {
    const doc = json as Record<string, unknown>;
    if (Array.isArray(doc.users)) for (const u of doc.users as ZUser[]) users.set(u.id, u);
    else if (Array.isArray(doc.tickets)) tickets.push(...(doc.tickets as ZTicket[]));
    else if (Array.isArray(doc.comments)) {
      const ticketId = Number(doc.ticket_id ?? /(\d+)\D*$/.exec(basename(name))?.[1]);
      if (!Number.isFinite(ticketId)) throw new Error(`${basename(name)}: comments without a ticket id`);
      comments.set(ticketId, [...(comments.get(ticketId) ?? []), ...(doc.comments as ZComment[])]);
    } else throw new Error(`${basename(name)}: not a Zendesk users, tickets or comments export`);
  }

  const unmappedFields: Source['unmappedFields'] = {};
  const contacts = new Map<string, SourceContact>();
  for (const u of users.values()) {
    if (u.role && u.role !== 'end-user') continue;
    countUnmapped(unmappedFields, 'user', u, USER_FIELDS);
    const consent = consentFromFields((u.user_fields as Record<string, unknown>) ?? {});
    countUnmapped(unmappedFields, 'user_fields', consent.rest, []);
    contacts.set(String(u.id), {
      key: String(u.id),
      name: u.name ?? null,
      email: u.email ?? null,
      phone: u.phone ?? null,
      lastActivityAt: asDate(u.last_login_at) ?? asDate(u.updated_at),
      consents: consent.consents,
      consentsWithoutEvidence: consent.withoutEvidence,
      fields: consent.rest,
    });
  }

  return {
    system: 'zendesk',
    contacts,
    unmappedFields,
    conversations: tickets.map((t) => {
      countUnmapped(unmappedFields, 'ticket', t, TICKET_FIELDS);
      const fields = Object.fromEntries(Object.entries(t).filter(([k]) => !TICKET_FIELDS.includes(k)));
      const closed = t.status === 'solved' || t.status === 'closed';
      return {
        key: String(t.id),
        contactKey: String(t.requester_id),
        subject: typeof t.subject === 'string' ? t.subject : null,
        createdAt: asDate(t.created_at) ?? new Date(0),
        closedAt: closed ? asDate(t.updated_at) : null,
        fields,
        messages: (comments.get(t.id) ?? []).map((c): SourceMessage => {
          countUnmapped(unmappedFields, 'comment', c, COMMENT_FIELDS);
          const author = users.get(c.author_id);
          const byContact = String(c.author_id) === String(t.requester_id) || author?.role === 'end-user';
          return {
            key: String(c.id),
            author: c.public === false ? 'note' : byContact ? 'contact' : 'agent',
            authorName: author?.name ?? null,
            text: String(c.plain_body ?? c.body ?? ''),
            ...(typeof c.html_body === 'string' ? { html: c.html_body } : {}),
            occurredAt: asDate(c.created_at) ?? new Date(0),
            attachments: ((c.attachments as Array<Record<string, unknown>>) ?? []).map((a) => ({
              key: String(a.id),
              filename: String(a.file_name ?? 'file'),
              contentType: String(a.content_type ?? 'application/octet-stream'),
              path: filesDir ? join(filesDir, String(a.id), basename(String(a.file_name ?? 'file'))) : null,
            })),
          };
        }),
      };
    }),
  };
}
