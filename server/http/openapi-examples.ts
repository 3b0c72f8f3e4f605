/**
 * Examples in the OpenAPI document (server/http/openapi.ts adds them): one error per status, as the server answers
 * it (server/plugins/errors.ts and the route guards), and the main resources as the routes return them. Redocly
 * (`npm run lint:api`, no-invalid-media-type-examples) checks each against its schema, so they cannot drift.
 */
const requestId = '5f0c6a8e-3b9e-4d5a-9a4e-6f1b2c3d4e5f';

export const errorExamples: Record<string, { code: string; message: string; requestId: string }> = {
  400: { code: 'bad_request', message: 'body/text must NOT have fewer than 1 characters', requestId },
  401: { code: 'unauthorized', message: 'Sign in first', requestId },
  403: { code: 'forbidden', message: 'This needs the admin role', requestId },
  404: { code: 'not_found', message: 'Conversation not found', requestId },
  409: { code: 'legal_hold', message: 'Erasure is blocked by a legal hold: pending court case', requestId },
  410: { code: 'link_expired', message: 'This link has expired; ask for the file again', requestId },
  413: { code: 'payload_too_large', message: 'Request body is too large', requestId },
  415: { code: 'unsupported_media_type', message: "Unsupported Media Type: 'text/plain'", requestId },
  429: { code: 'rate_limited', message: 'Too many requests: retry in 42 s', requestId },
  500: { code: 'internal', message: 'Internal server error', requestId },
  502: { code: 'provider_unavailable', message: 'The provider did not answer', requestId },
  503: { code: 'database_unavailable', message: 'The database does not answer', requestId },
};

const ids = {
  conversation: '0b6f7a43-1f0e-4c55-9d1c-2e8b5a6f9c01',
  inbox: '7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f',
  contact: '3ebcff9e-0567-4a14-922c-5185e803ab74',
  agent: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
  message: '9edd060f-a6e7-431d-bba7-6b9730c81364',
  consent: '5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a',
  token: 'c0ffee00-1234-4567-89ab-cdef01234567',
  webhook: 'd00dfeed-4321-4765-8a9b-fedcba987654',
};
const at = '2026-03-02T09:41:00.000Z';

const conversation = {
  id: ids.conversation,
  inboxId: ids.inbox,
  inboxName: 'Website chat',
  channel: 'chat',
  status: 'open',
  subject: null,
  contact: { id: ids.contact, name: 'Maria Schmidt' },
  assignee: { id: ids.agent, name: 'Sam Agent' },
  team: null,
  lastMessageAt: at,
  lastMessagePreview: 'Where is my order 4711?',
  unreadCount: 1,
  createdAt: at,
};
const message = {
  id: ids.message,
  conversationId: ids.conversation,
  channel: 'chat',
  direction: 'inbound',
  kind: 'message',
  authorKind: 'contact',
  authorName: 'Maria Schmidt',
  body: 'Where is my order 4711?',
  deliveryState: 'received',
  deliveryError: null,
  redactions: [],
  createdAt: at,
};
const reply = {
  ...message,
  id: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5e',
  direction: 'outbound',
  authorKind: 'agent',
  authorName: 'Sam Agent',
  body: 'It left our warehouse this morning.',
  deliveryState: 'sent',
};
const consentState = {
  purpose: 'analytics',
  granted: true,
  policyVersion: '2026-01',
  sourceChannel: 'chat',
  occurredAt: at,
};
const contact = {
  id: ids.contact,
  name: 'Maria Schmidt',
  email: 'maria@example.com',
  phone: null,
  unreadable: [],
  createdAt: at,
  lastSeenAt: at,
  identities: [{ kind: 'email', address: 'maria@example.com' }],
  consent: [consentState],
  conversations: [{ id: ids.conversation, channel: 'chat', status: 'open', lastMessageAt: at }],
  legalHolds: [],
  restrictions: [],
};
const consentLedger = {
  current: [consentState],
  history: [
    {
      id: ids.consent,
      purpose: 'analytics',
      granted: true,
      policyVersion: '2026-01',
      language: 'en',
      sourceChannel: 'chat',
      evidence: { recordedBy: 'agent', statement: 'Agreed on the phone, call of 2 March' },
      recordedBy: { id: ids.agent, name: 'Sam Agent' },
      occurredAt: at,
    },
  ],
};
const token = {
  id: ids.token,
  name: 'CRM sync',
  scopes: ['conversations:read', 'messages:write'],
  createdBy: ids.agent,
  createdAt: at,
  expiresAt: '2026-06-01T09:41:00.000Z',
  revokedAt: null,
  lastUsedAt: null,
};
const webhook = {
  id: ids.webhook,
  name: 'CRM',
  url: 'https://crm.example.com/hooks/support',
  events: ['conversation.created', 'message.created', 'contact.erased'],
  includeContent: false,
  paused: false,
  createdBy: ids.agent,
  createdAt: at,
  pausedAt: null,
};

/** Success examples by operationId and status. */
export const responseExamples: Record<string, Record<string, unknown>> = {
  getConversations: { 200: { items: [conversation], nextCursor: null } },
  getConversationsById: {
    200: { conversation, messages: [message, reply], contact, botDecisions: [], participants: [] },
  },
  postConversationsByIdMessages: { 201: { message: reply } },
  getContactsById: { 200: contact },
  getContactsByIdConsent: { 200: consentLedger },
  postContactsByIdConsent: { 201: consentLedger },
  getTokens: { 200: { items: [token] } },
  postTokens: { 201: { token, secret: 'pit_Jx9v4Qd0bS2mK7wY1nR8tU5eL3aH6cF0gP2zX4vB9sM' } },
  getWebhooks: { 200: { items: [webhook] } },
  postWebhooks: { 201: { subscription: webhook, secret: 'whsec_q3Vt7sYk1mN0bX5cR8wL2pD4fH6jG9aZ1uE3iO7yT5s' } },
};
