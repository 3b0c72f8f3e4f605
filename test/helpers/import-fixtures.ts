import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Helpdesk exports built from the documented formats: Zendesk's incremental user and ticket exports and its
 * List Comments response; Chatwoot's contacts, conversations and messages API responses; the generic CSV of the
 * README. Every person and number is made up. Writes the files under `dir`; answers their paths.
 */
export function zendeskExport(dir: string) {
  mkdirSync(join(dir, 'files', '9001'), { recursive: true });
  writeFileSync(join(dir, 'files', '9001', 'receipt.pdf'), '%PDF-1.4 receipt');
  const users = {
    users: [
      {
        id: 1,
        name: 'Aino Virtanen',
        email: 'Aino@Example.FI',
        role: 'end-user',
        created_at: '2024-01-02T10:00:00Z',
        last_login_at: '2026-11-01T10:00:00Z',
        locale: 'fi',
        user_fields: {
          consent_support: { granted_at: '2024-01-02T10:00:00Z', evidence: 'web form v3, checkbox ticked' },
          consent_marketing: true,
          loyalty_level: 'gold',
        },
      },
      {
        id: 2,
        name: 'Old Customer',
        email: 'old@example.com',
        role: 'end-user',
        last_login_at: '2015-03-01T00:00:00Z',
      },
      {
        id: 3,
        name: 'Gone Customer',
        email: 'gone@example.com',
        role: 'end-user',
        last_login_at: '2017-05-01T00:00:00Z',
      },
      { id: 50, name: 'Agent Smith', email: 'smith@shop.example', role: 'agent' },
    ],
    next_page: null,
    end_of_stream: true,
    end_time: 1764000000,
  };
  const tickets = {
    tickets: [
      {
        id: 101,
        subject: 'Double charge',
        status: 'open',
        requester_id: 1,
        created_at: '2026-10-01T09:00:00Z',
        updated_at: '2026-10-02T09:00:00Z',
        priority: 'high',
        tags: ['billing'],
        custom_fields: [{ id: 77, value: 'web' }],
        via: { channel: 'email' },
      },
      {
        id: 102,
        subject: 'Old question',
        status: 'closed',
        requester_id: 2,
        created_at: '2015-01-01T09:00:00Z',
        updated_at: '2015-01-05T09:00:00Z',
      },
      {
        id: 103,
        subject: 'Inactive',
        status: 'open',
        requester_id: 3,
        created_at: '2017-04-01T09:00:00Z',
        updated_at: '2017-04-01T09:00:00Z',
      },
    ],
    end_of_stream: true,
  };
  const comments101 = {
    comments: [
      {
        id: 5001,
        type: 'Comment',
        author_id: 1,
        body: 'I was charged twice on card 4111 1111 1111 1111, receipt attached',
        html_body: '<p>I was charged twice on card 4111 1111 1111 1111, receipt attached</p>',
        plain_body: 'I was charged twice on card 4111 1111 1111 1111, receipt attached',
        public: true,
        attachments: [
          {
            id: 9001,
            file_name: 'receipt.pdf',
            content_url: 'https://x.zendesk.com/a/9001',
            content_type: 'application/pdf',
            size: 16,
          },
        ],
        created_at: '2026-10-01T09:00:00Z',
      },
      {
        id: 5002,
        type: 'Comment',
        author_id: 50,
        body: 'Sorry, refunded.',
        public: true,
        attachments: [],
        created_at: '2026-10-01T10:00:00Z',
      },
      {
        id: 5003,
        type: 'Comment',
        author_id: 50,
        body: 'Checked with billing',
        public: false,
        attachments: [],
        created_at: '2026-10-01T10:05:00Z',
      },
    ],
  };
  const comments102 = {
    comments: [{ id: 5004, author_id: 2, body: 'Hello?', public: true, created_at: '2015-01-01T09:00:00Z' }],
  };
  const comments103 = {
    comments: [{ id: 5005, author_id: 3, body: 'Anyone?', public: true, created_at: '2017-04-01T09:00:00Z' }],
  };
  const files = {
    'users.json': users,
    'tickets.json': tickets,
    'comments-101.json': comments101,
    'comments-102.json': comments102,
    'comments-103.json': comments103,
  };
  for (const [name, json] of Object.entries(files)) writeFileSync(join(dir, name), JSON.stringify(json));
  return { paths: Object.keys(files).map((n) => join(dir, n)), filesDir: join(dir, 'files') };
}

export function chatwootExport(dir: string) {
  const contacts = {
    meta: { count: 1, current_page: 1 },
    payload: [
      {
        id: 7,
        name: 'Sven Svensson',
        email: null,
        phone_number: '+46701234567',
        identifier: null,
        last_activity_at: 1790000000,
        created_at: 1700000000,
        additional_attributes: { city: 'Malmö' },
        custom_attributes: { plan_tier: 'pro', consent_analytics: '2025-05-01T12:00:00Z widget notice v2 accepted' },
      },
    ],
  };
  const conversations = {
    data: {
      meta: { all_count: 1 },
      payload: [
        {
          id: 40,
          inbox_id: 1,
          status: 'resolved',
          meta: { sender: { id: 7 } },
          created_at: 1789000000,
          last_activity_at: 1789003600,
          custom_attributes: { plan_tier: 'pro' },
          labels: ['vip'],
        },
      ],
    },
  };
  const messages = {
    meta: {},
    payload: [
      {
        id: 900,
        content: 'Jag är gravid och behöver byta storlek',
        message_type: 0,
        created_at: 1789000000,
        private: false,
        conversation_id: 40,
        sender: { id: 7, type: 'contact' },
      },
      {
        id: 901,
        content: 'Conversation was marked resolved',
        message_type: 2,
        created_at: 1789003600,
        private: false,
        conversation_id: 40,
      },
      {
        id: 902,
        content: 'Självklart, vi byter.',
        message_type: 1,
        created_at: 1789001000,
        private: false,
        conversation_id: 40,
        sender: { id: 3, type: 'user', name: 'Agent Anna' },
      },
    ],
  };
  const files = { 'contacts.json': contacts, 'conversations.json': conversations, 'messages-40.json': messages };
  for (const [name, json] of Object.entries(files)) writeFileSync(join(dir, name), JSON.stringify(json));
  return { paths: Object.keys(files).map((n) => join(dir, n)) };
}

export function csvExport(dir: string) {
  const header = [
    'conversation_id,message_id,occurred_at,author,text,contact_id,contact_name,contact_email,subject,status',
    'closed_at,consent_purpose,consent_granted_at,consent_evidence,order_channel',
  ].join(',');
  const rows = [
    'c1,m1,2026-09-01T08:00:00Z,contact,"Hello, my IBAN is DE89 3704 0044 0532 0130 00",k1,Kim Meier,kim@example.de,' +
      'Refund,open,,support,2026-09-01T07:59:00Z,chat consent notice v5,shop',
    'c1,m2,2026-09-01T08:10:00Z,agent,"Thanks, refund is on its way",k1,,,,open,,,,,',
    'c2,m3,2019-01-01T08:00:00Z,contact,Old message,k2,Lea,lea@example.de,Old,closed,2019-01-02T00:00:00Z,' +
      'marketing,,,shop',
  ];
  writeFileSync(join(dir, 'export.csv'), [header, ...rows].join('\n'));
  return { paths: [join(dir, 'export.csv')] };
}
