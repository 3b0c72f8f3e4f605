import type { PgTable } from 'drizzle-orm/pg-core';
import * as schema from './schema/index.ts';

/**
 * The personal-data catalog: every column of every table, tagged once. Export, erasure, the data
 * map and the Article 30 record are derived from it, never hand-listed. test/unit/catalog.test.ts
 * fails for an untagged (or stale) column, and the `satisfies` below makes TypeScript fail first.
 */
export type Category =
  | 'identifier' // ids that single out a person (visitor id, provider sids, addresses used as keys)
  | 'contact_detail' // name, email, phone
  | 'message_content' // what people wrote or said, and files they sent
  | 'recording' // call audio
  | 'metadata' // timestamps, states, links between records about a person
  | 'consent' // the consent ledger
  | 'credential' // password hashes, session tokens (agents)
  | 'none'; // configuration, not about any person

export type DataSubject = 'contact' | 'agent' | 'none';

/**
 * A column that holds the id of a file in the blob store. Export adds the file to the archive, erasure and
 * retention delete it. The other properties name columns of the same row that describe the file.
 */
export type FileColumn = {
  /** The retention class whose period removes the file ('recordings' also go at their provider). */
  retention: 'attachments' | 'recordings';
  /** Property holding the file's name (part of its path in an export), its content type and its size. */
  nameColumn?: string;
  typeColumn?: string;
  sizeColumn?: string;
  /** Content type and file extension when the row names neither (a call recording). */
  contentType?: string;
  extension?: string;
};

/**
 * `freeText`: text people wrote or named (message text, subjects, names, file names); erasure looks for a
 * person's identifiers in these columns of everyone else's rows. `messageCopy`: free text that copies the
 * text of the message its row belongs to (the HTML body; a transcript or translation): redaction replaces
 * the span there too. `file`: the column holds a blob id (see FileColumn).
 */
export type ColumnTag = {
  personal: boolean;
  category: Category;
  note?: string;
  freeText?: true;
  messageCopy?: true;
  /**
   * Computed by the database from other columns of its row (a search index's words): it follows them through
   * redaction and erasure by itself, and an export gives its sources, not it.
   */
  derived?: true;
  file?: FileColumn;
  /** The id of a staff member: the person's self-service copy shows the agent's display name instead. */
  agentRef?: true;
};

/** How a row of the table reaches the person it is about. */
export type Reach =
  | { subject: 'none' }
  | { subject: 'contact' | 'agent'; via: 'self' }
  | { subject: 'contact' | 'agent'; via: 'column'; column: string }
  /**
   * Rows whose `column` holds the id of a row of the catalog entry `through` that reaches the person; with
   * `also`, the rows reached the same way by another column too (a message the person wrote, through its author
   * identity, in a conversation someone else started).
   */
  | { subject: 'contact'; via: 'join'; column: string; through: string; also?: { column: string; through: string } };

const p = (category: Category, note?: string): ColumnTag => ({ personal: true, category, note });
const n = (category: Category = 'none', note?: string): ColumnTag => ({ personal: false, category, note });
/** Personal free text: reached by mention search on erasure and by redaction. */
const text = (category: Category, note?: string): ColumnTag => ({ ...p(category, note), freeText: true });
/** A blob id: the file goes with its row in export, erasure and retention. */
const file = (category: Category, f: FileColumn, note?: string): ColumnTag => ({ ...p(category, note), file: f });
/** Personal free text copying the message's text (see ColumnTag.messageCopy). */
const messageCopy = (category: Category, note?: string): ColumnTag => ({ ...text(category, note), messageCopy: true });
/** Computed from other columns of the row (see ColumnTag.derived). */
const derived = (category: Category, note?: string): ColumnTag => ({ ...p(category, note), derived: true });
/** An agent's id (see ColumnTag.agentRef). */
const agentRef = (): ColumnTag => ({ ...n('metadata', 'an agent id'), agentRef: true });
/** The tag makers, for a catalog entry written elsewhere (a test's fixture table). */
export const tags = { personal: p, none: n, text, file, messageCopy, derived, agentRef };

/**
 * What stays out of the copy a person downloads themselves (the widget's export): the company's internal
 * records about them. The formal access copy (Art. 15, exported by staff) holds everything.
 * `staffOnly`: the whole table, and why; `staffOnlyRows`: the rows whose `column` holds one of `values`.
 */
type SelfService<T extends PgTable> = {
  staffOnly?: string;
  staffOnlyRows?: { column: keyof T['$inferSelect'] & string; values: readonly string[] };
};
type Columns<T extends PgTable> = Record<keyof T['$inferSelect'], ColumnTag>;
type Entry<T extends PgTable> = { table: T; purpose: string; reach: Reach; columns: Columns<T> } & SelfService<T>;
/** Typed per table in drizzle/catalog.ts, so every column must be tagged; any table of a test fixture too. */
export const entry = <T extends PgTable>(e: Entry<T>) => e;

export const catalog = {
  inboxes: entry({
    table: schema.inboxes,
    purpose: 'Channel configuration',
    reach: { subject: 'none' },
    columns: {
      id: n(),
      name: n(),
      channel: n(),
      settings: n('none', 'provider config; secrets never returned'),
      createdAt: n(),
    },
  }),
  instanceSettings: entry({
    table: schema.instanceSettings,
    purpose: 'Instance configuration and secrets',
    reach: { subject: 'none' },
    columns: { key: n(), value: n('none', 'signing secrets, flags'), createdAt: n() },
  }),
  contacts: entry({
    table: schema.contacts,
    purpose: 'Support: who the customer is',
    reach: { subject: 'contact', via: 'self' },
    columns: {
      id: p('identifier'),
      // Stored only sealed (migration 0049). Opened for the export (server/privacy/encrypted-columns.ts): it shows
      // them as name, email and phone. The name is free text (erasure finds mentions in it by its tokens, opened).
      sealedName: text('contact_detail', 'a name as the person or an agent typed it, sealed with their data key'),
      sealedEmail: p('contact_detail', "the email address, sealed with the person's data key (issue 22)"),
      sealedPhone: p('contact_detail', "the phone number, sealed with the person's data key (issue 22)"),
      nameTokens: derived('identifier', "keyed blind index tokens of the name's words (issue 22)"),
      emailTokens: derived('identifier', 'keyed blind index tokens of the email address and its words (issue 22)'),
      phoneTokens: derived('identifier', "keyed blind index tokens of the phone number's digit suffixes (issue 22)"),
      locale: p('metadata'),
      createdAt: p('metadata'),
      updatedAt: p('metadata'),
    },
  }),
  contactIdentities: entry({
    table: schema.contactIdentities,
    purpose: 'Support: recognising the customer on each channel',
    reach: { subject: 'contact', via: 'column', column: 'contactId' },
    columns: {
      id: n('metadata'),
      contactId: p('identifier'),
      kind: p('metadata'),
      addressToken: derived('identifier', "the address's keyed blind index token (issue 22)"),
      memberToken: derived('identifier', "a Slack identity's keyed token of its member id alone"),
      // The address itself, stored only sealed (issue 22): an export shows it opened, as `address`.
      sealedAddress: p('identifier', "the address, sealed with the person's data key"),
      createdAt: p('metadata'),
      lastSeenAt: p('metadata'),
    },
  }),
  agents: entry({
    table: schema.agents,
    purpose: 'Staff accounts',
    reach: { subject: 'agent', via: 'self' },
    columns: {
      id: p('identifier'),
      email: p('contact_detail'),
      name: p('contact_detail'),
      role: p('metadata'),
      passwordHash: p('credential'),
      disabledAt: p('metadata'),
      inboxScope: p('metadata'),
      color: p('metadata', 'the avatar colour the agent chose'),
      mustChangePassword: p('metadata'),
      demo: n('none', 'a fictional demo colleague'),
      notificationPrefs: p('metadata', 'which notifications the agent wants'),
      locale: p('metadata', 'the language the agent reads the inbox in'),
      createdAt: p('metadata'),
    },
  }),
  agentInvitations: entry({
    table: schema.agentInvitations,
    purpose: 'Staff accounts: invitations to choose a first password',
    reach: { subject: 'agent', via: 'column', column: 'agentId' },
    columns: {
      tokenHash: p('credential'),
      agentId: p('identifier'),
      createdBy: n('metadata', 'the admin who invited'),
      createdAt: p('metadata'),
      expiresAt: p('metadata'),
    },
  }),
  apiTokens: entry({
    table: schema.apiTokens,
    purpose: 'Integrations: API tokens, each acting for the admin who created it',
    reach: { subject: 'agent', via: 'column', column: 'createdBy' },
    columns: {
      id: n('metadata'),
      name: n('none', 'the integration’s name, chosen by an admin'),
      tokenHash: p('credential'),
      scopes: n('none'),
      createdBy: p('identifier'),
      createdAt: p('metadata'),
      expiresAt: n('metadata'),
      revokedAt: n('metadata'),
      lastUsedAt: p('metadata'),
    },
  }),
  webhookSubscriptions: entry({
    table: schema.webhookSubscriptions,
    purpose: 'Integrations: outgoing webhooks an admin subscribed (the Art. 30 record lists those with content)',
    reach: { subject: 'agent', via: 'column', column: 'createdBy' },
    columns: {
      id: n('metadata'),
      name: n('none', 'the receiver’s name, chosen by an admin'),
      url: n('none', 'the receiver’s endpoint'),
      events: n(),
      includeContent: n(),
      secret: n('none', 'the signing secret, sealed under the master key'),
      createdBy: p('identifier'),
      createdAt: p('metadata'),
      pausedAt: n('metadata'),
    },
  }),
  webhookDeliveries: entry({
    table: schema.webhookDeliveries,
    purpose: 'Integrations: events waiting for, or logged after, their delivery to a webhook receiver',
    staffOnly: 'delivery bookkeeping (ids, times, HTTP statuses)',
    reach: { subject: 'contact', via: 'column', column: 'contactId' },
    columns: {
      id: n('metadata'),
      subscriptionId: n('metadata'),
      eventId: n('metadata'),
      eventType: p('metadata'),
      occurredAt: p('metadata'),
      contactId: p('identifier', 'null for an erasure event: that row outlives the contact'),
      resources: p('identifier', 'ids only; content is read when the delivery is sent'),
      state: n(),
      attempts: n(),
      nextAttemptAt: n(),
      log: n('metadata', 'times, HTTP statuses and error classes of the attempts'),
      createdAt: p('metadata'),
      deliveredAt: p('metadata'),
    },
  }),
  cannedReplies: entry({
    table: schema.cannedReplies,
    purpose: 'Support: canned replies (shared, or one agent’s own)',
    reach: { subject: 'agent', via: 'column', column: 'ownerId' },
    columns: {
      id: n(),
      ownerId: p('identifier', 'null for a shared reply'),
      shortcut: n(),
      title: n(),
      variants: n('none', 'template text with {{variables}}, never filled-in customer data'),
      createdAt: n(),
      updatedAt: n(),
    },
  }),
  agentInboxes: entry({
    table: schema.agentInboxes,
    purpose: 'Staff access: the inboxes an agent may see',
    reach: { subject: 'agent', via: 'column', column: 'agentId' },
    columns: { agentId: p('identifier'), inboxId: n() },
  }),
  teams: entry({
    table: schema.teams,
    purpose: 'Staff organisation: teams',
    reach: { subject: 'none' },
    columns: { id: n(), name: n(), createdAt: n() },
  }),
  teamMembers: entry({
    table: schema.teamMembers,
    purpose: 'Staff organisation: who belongs to which team',
    reach: { subject: 'agent', via: 'column', column: 'agentId' },
    columns: { teamId: n(), agentId: p('identifier') },
  }),
  teamInboxes: entry({
    table: schema.teamInboxes,
    purpose: 'Staff access: the inboxes a team works',
    reach: { subject: 'none' },
    columns: { teamId: n(), inboxId: n() },
  }),
  sessions: entry({
    table: schema.sessions,
    purpose: 'Staff sign-in sessions',
    reach: { subject: 'agent', via: 'column', column: 'agentId' },
    columns: {
      tokenHash: p('credential'),
      agentId: p('identifier'),
      csrfToken: p('credential'),
      createdAt: p('metadata'),
      expiresAt: p('metadata'),
    },
  }),
  conversations: entry({
    table: schema.conversations,
    purpose: 'Support: the customer’s requests',
    reach: { subject: 'contact', via: 'column', column: 'contactId' },
    columns: {
      id: n('metadata'),
      inboxId: n(),
      contactId: p('identifier'),
      channel: p('metadata'),
      status: p('metadata'),
      assigneeId: agentRef(),
      teamId: n('none', 'the staff team that works it'),
      threadKey: p('identifier', 'may embed an address or visitor id'),
      subject: text('message_content', 'sealed with the contact’s data key (plaintext in rows from before 0047)'),
      subjectVector: derived(
        'message_content',
        'the keyed tokens of the subject’s words and digit runs (search, erasure)',
      ),
      createdAt: p('metadata'),
      updatedAt: p('metadata'),
      lastMessageAt: p('metadata'),
      resolvedAt: p('metadata', 'when an agent last marked it resolved; resolution time in analytics'),
      seq: n(),
      deletedAt: p('metadata', 'the trash: when an agent deleted it (restorable by an admin until purge_after)'),
      purgeAfter: p('metadata', 'the trash: when the retention sweep purges it (TRASH_RETAIN_DAYS after deletion)'),
      deletedByAgentId: agentRef(),
    },
  }),
  messages: entry({
    table: schema.messages,
    purpose: 'Support: what was said',
    // The messages of the person's conversations, and the messages they wrote in anyone else's (a reply-all in
    // which they were in Cc, a Slack thread reply).
    reach: {
      subject: 'contact',
      via: 'join',
      column: 'conversationId',
      through: 'conversations',
      also: { column: 'authorIdentityId', through: 'contactIdentities' },
    },
    // Internal notes and timeline events (assignment, status, hand-off): never sent to the customer.
    staffOnlyRows: { column: 'kind', values: ['note', 'event'] },
    columns: {
      id: n('metadata'),
      conversationId: n('metadata'),
      channel: p('metadata'),
      direction: p('metadata'),
      kind: n(),
      authorKind: p('metadata'),
      authorAgentId: agentRef(),
      authorIdentityId: p('identifier', 'the identity (address, phone, handle) that wrote an inbound message'),
      body: text('message_content', 'also internal notes'),
      html: messageCopy('message_content', 'the sanitized HTML copy of an email body'),
      externalId: p('identifier', 'provider message id'),
      deliveryState: p('metadata'),
      deliveryError: p('metadata'),
      attempts: n(),
      nextAttemptAt: n(),
      redactions: p('metadata', 'spans and who redacted; never the text'),
      metadata: p('metadata', 'provider metadata'),
      language: p('metadata', 'the language of the text where known (search)'),
      searchVector: derived(
        'message_content',
        'the words of body and html for search: keyed tokens for sealed text, words for text from before the switch',
      ),
      mentionTokens: derived(
        'message_content',
        'the keyed tokens of the phone numbers mentioned in a sealed text (search, erasure)',
      ),
      occurredAt: p('metadata'),
      createdAt: p('metadata'),
    },
  }),
  conversationParticipants: entry({
    table: schema.conversationParticipants,
    purpose: 'Support: who took part in a conversation (From/To/Cc of its mails), and who replies go to',
    reach: { subject: 'contact', via: 'join', column: 'identityId', through: 'contactIdentities' },
    columns: {
      conversationId: p('metadata'),
      identityId: p('identifier'),
      role: p('metadata'),
      firstSeenAt: p('metadata'),
    },
  }),
  attachments: entry({
    table: schema.attachments,
    purpose: 'Support: files the customer sent or received',
    reach: { subject: 'contact', via: 'join', column: 'messageId', through: 'messages' },
    columns: {
      id: n('metadata'),
      messageId: n('metadata'),
      blobId: file(
        'message_content',
        { retention: 'attachments', nameColumn: 'filename', typeColumn: 'contentType', sizeColumn: 'size' },
        'points at the file in the blob store',
      ),
      filename: text('message_content'),
      contentType: p('metadata'),
      size: p('metadata'),
      createdAt: p('metadata'),
    },
  }),
  recordings: entry({
    table: schema.recordings,
    purpose: 'Call recordings, kept until delete_after',
    reach: { subject: 'contact', via: 'join', column: 'conversationId', through: 'conversations' },
    columns: {
      id: n('metadata'),
      conversationId: n('metadata'),
      messageId: n('metadata'),
      provider: n(),
      providerSid: p('identifier'),
      durationSeconds: p('metadata'),
      blobId: file('recording', { retention: 'recordings', contentType: 'audio/*', extension: '.audio' }),
      recordedAt: p('metadata'),
      deleteAfter: n(),
      deletedAt: n(),
      deletionAttempts: n(),
      nextDeletionAttemptAt: n(),
      lastDeletionError: n('none', 'provider error class and status only'),
    },
  }),
  inboxBusinessHours: entry({
    table: schema.inboxBusinessHours,
    purpose: 'Channel configuration: when the team answers',
    reach: { subject: 'none' },
    columns: {
      inboxId: n(),
      timeZone: n(),
      windows: n(),
      holidays: n(),
      visitorGoneMinutes: n(),
      updatedAt: n(),
    },
  }),
  chatVisitorStates: entry({
    table: schema.chatVisitorStates,
    purpose: 'Support: "seen" in the chat, and replies by email to a visitor who left an address and went away',
    reach: { subject: 'contact', via: 'join', column: 'conversationId', through: 'conversations' },
    columns: {
      conversationId: p('metadata'),
      visitorReadAt: p('metadata'),
      visitorLeftAt: p('metadata'),
      followupIdentityId: p('identifier', 'the email identity the visitor gave for replies'),
      followupInboxId: n(),
      followupSince: p('metadata'),
      emailedUntil: p('metadata'),
      threadMessageId: p('identifier', 'our own Message-ID of the first follow-up mail'),
      updatedAt: p('metadata'),
    },
  }),
  conversationReads: entry({
    table: schema.conversationReads,
    purpose: 'Agents’ unread markers',
    reach: { subject: 'agent', via: 'column', column: 'agentId' },
    columns: { agentId: p('identifier'), conversationId: n('metadata'), lastReadAt: p('metadata') },
  }),
  consentEvents: entry({
    table: schema.consentEvents,
    purpose: 'Proof of consent (Art. 7(1))',
    reach: { subject: 'contact', via: 'column', column: 'contactId' },
    columns: {
      id: n('metadata'),
      contactId: p('identifier'),
      purpose: p('consent'),
      granted: p('consent'),
      policyVersion: p('consent'),
      textHash: p('consent'),
      language: p('consent', 'the language of the notice shown'),
      sourceChannel: p('consent'),
      evidence: p('consent', 'widget event, message id or call sid'),
      recordedByAgentId: agentRef(),
      occurredAt: p('consent'),
    },
  }),
  consentNoticeTexts: entry({
    table: schema.consentNoticeTexts,
    purpose: 'Proof of consent (Art. 7(1)): the exact notice texts shown, by hash',
    reach: { subject: 'none' },
    columns: {
      textHash: n(),
      policyVersion: n(),
      language: n(),
      text: n('none', 'the notice as shown'),
      firstShownAt: n(),
    },
  }),
  auditLog: entry({
    table: schema.auditLog,
    purpose: 'Accountability (Art. 5(2)); ids and field names only',
    reach: { subject: 'none' },
    columns: {
      id: n(),
      at: n('metadata'),
      actorKind: n(),
      actorId: n('metadata', 'an id, never a name or address'),
      action: n(),
      targetType: n(),
      targetId: n('metadata', 'an id'),
      details: n('metadata', 'ids, counts and field names only'),
      prevHash: n(),
      hash: n(),
      contactId: n('metadata', 'an id, generated from details'),
    },
  }),
  erasedSubjects: entry({
    table: schema.erasedSubjects,
    purpose: 'Erasures re-applied after a restore (Art. 17); keyed hashes, never the identifiers',
    reach: { subject: 'none' },
    columns: {
      id: n(),
      erasedAt: n('metadata'),
      contactId: n('metadata', 'the id of a contact that no longer exists'),
      keyId: n(),
      hashes: n(
        'identifier',
        'HMAC-SHA256 of identifiers under a key derived from the master key, not in the database',
      ),
      tables: n(),
      scrubbedAt: n('metadata'),
      erasureXid: n('metadata', "the erasure's transaction id: the scrub waits for older transactions"),
    },
  }),
  kbArticles: entry({
    table: schema.kbArticles,
    purpose: 'Knowledge base for the bot and agents',
    reach: { subject: 'none' },
    columns: {
      id: n(),
      title: n(),
      body: n(),
      language: n(),
      questions: n(
        'none',
        'example questions; a customer question joins only through kbExampleProposals, with bot_training ' +
          'consent, as the reviewing admin rewrote it',
      ),
      createdAt: n(),
      updatedAt: n(),
    },
  }),
  kbExampleProposals: entry({
    table: schema.kbExampleProposals,
    purpose:
      'Bot learning: customer questions agents answered, proposed as KB example questions (bot_training consent)',
    staffOnly: 'internal review queue; the question itself is the customer message, exported with it',
    reach: { subject: 'contact', via: 'join', column: 'conversationId', through: 'conversations' },
    columns: {
      id: n('metadata'),
      articleId: n('metadata'),
      conversationId: n('metadata'),
      messageId: n('metadata'),
      proposedBy: agentRef(),
      createdAt: p('metadata'),
    },
  }),
  imports: entry({
    table: schema.imports,
    purpose: 'Imports from other helpdesks: the minimization plan and the integrity report',
    reach: { subject: 'none' },
    columns: {
      id: n(),
      source: n(),
      sourceKey: n('none', 'SHA-256 of the source files and options'),
      inboxId: n(),
      plan: n('none', 'counts, field names and choices; never a value from the source'),
      report: n('none', 'counts, checksums and table names; never a value from the source'),
      state: n(),
      createdAt: n(),
      finishedAt: n(),
    },
  }),
  retentionPolicies: entry({
    table: schema.retentionPolicies,
    purpose: 'Retention configuration',
    reach: { subject: 'none' },
    columns: {
      dataClass: n(),
      retainDays: n(),
      enabled: n(),
      updatedAt: n(),
      updatedByAgentId: agentRef(),
      previousEnabled: n(),
      previousRetainDays: n(),
      takesEffectAt: n(),
    },
  }),
  legalHolds: entry({
    table: schema.legalHolds,
    purpose: 'Legal holds that suspend retention and erasure',
    staffOnly: "staff's record of a legal obligation",
    reach: { subject: 'contact', via: 'column', column: 'contactId' },
    columns: {
      id: n('metadata'),
      contactId: p('identifier'),
      conversationId: n('metadata'),
      reason: text('metadata', 'free text written by staff; must not quote the person'),
      createdByAgentId: agentRef(),
      createdAt: p('metadata'),
      releasedAt: p('metadata'),
    },
  }),
  processingRestrictions: entry({
    table: schema.processingRestrictions,
    purpose: 'Restriction of processing (Art. 18) and objections (Art. 21): what a contact is left out of',
    staffOnly: "staff's record of a restriction or objection and why",
    reach: { subject: 'contact', via: 'column', column: 'contactId' },
    columns: {
      id: n('metadata'),
      contactId: p('identifier'),
      kind: p('metadata'),
      purposes: p('metadata'),
      reason: text('metadata', 'free text written by staff; must not quote the person'),
      requestId: n('metadata', 'an id'),
      setByAgentId: agentRef(),
      setAt: p('metadata'),
      liftedAt: p('metadata'),
      liftedByAgentId: agentRef(),
      liftReason: text('metadata', 'free text written by staff; must not quote the person'),
    },
  }),
  auditStaged: entry({
    table: schema.auditStaged,
    purpose: "Accountability (Art. 5(2)): ingest's audit entries before they join the hash chain",
    reach: { subject: 'none' },
    columns: {
      id: n(),
      at: n('metadata'),
      actorKind: n(),
      actorId: n('metadata', 'an id, never a name or address'),
      action: n(),
      targetType: n(),
      targetId: n('metadata', 'an id'),
      details: n('metadata', 'ids and field names only'),
    },
  }),
  botDecisions: entry({
    table: schema.botDecisions,
    purpose: 'Bot accountability: what it answered and why',
    staffOnly: 'bot internals: scores, candidates, reasons',
    reach: { subject: 'contact', via: 'join', column: 'conversationId', through: 'conversations' },
    columns: {
      id: n('metadata'),
      conversationId: n('metadata'),
      messageId: n('metadata'),
      action: p('metadata'),
      reason: p('metadata'),
      confidence: p('metadata', 'plain only on rows from before encryption (now in scores)'),
      candidates: p('metadata', 'article ids and scores; plain only on rows from before encryption (now in scores)'),
      scores: p('metadata', "confidence and candidates, encrypted with the person's data key"),
      createdAt: p('metadata'),
    },
  }),
  satisfactionRatings: entry({
    table: schema.satisfactionRatings,
    purpose: 'Service quality: the customer’s rating of a resolved conversation (analysed only with analytics consent)',
    reach: { subject: 'contact', via: 'join', column: 'conversationId', through: 'conversations' },
    columns: {
      id: n('metadata'),
      conversationId: n('metadata'),
      score: p('metadata', 'what the person thought of the service'),
      ratedAt: p('metadata'),
    },
  }),
  leases: entry({
    table: schema.leases,
    purpose: 'Coordination between server processes',
    reach: { subject: 'none' },
    columns: { name: n(), holder: n('none', 'a server process id'), expiresAt: n() },
  }),
  emailMailboxes: entry({
    table: schema.emailMailboxes,
    purpose: 'Email channel: which IMAP messages are already ingested',
    reach: { subject: 'none' },
    columns: {
      inboxId: n(),
      mailbox: n('none', 'a folder name such as INBOX'),
      uidValidity: n(),
      lastUid: n(),
      updatedAt: n(),
    },
  }),
  slackEvents: entry({
    table: schema.slackEvents,
    purpose: 'Slack: recognising redelivered events',
    reach: { subject: 'none' },
    columns: { eventId: n('none', 'a Slack event id'), receivedAt: n() },
  }),
  slackFiles: entry({
    table: schema.slackFiles,
    purpose: 'Slack: files shared in a message, until they are stored as attachments',
    reach: { subject: 'contact', via: 'join', column: 'messageId', through: 'messages' },
    columns: {
      id: n('metadata'),
      messageId: n('metadata'),
      fileId: p('identifier', 'Slack file id'),
      name: text('message_content', 'cleared once stored'),
      mimetype: p('metadata'),
      urlPrivate: text('message_content', 'Slack URL of the file (ends in its name); cleared once stored'),
      attempts: n(),
      nextAttemptAt: n(),
      lastError: n('none', 'error class and HTTP status only'),
      storedAt: p('metadata'),
    },
  }),
  smsOptOuts: entry({
    table: schema.smsOptOuts,
    purpose: 'SMS opt-outs (STOP): nothing is sent to these numbers',
    reach: { subject: 'contact', via: 'column', column: 'contactId' },
    columns: {
      id: n('metadata'),
      twilioNumber: n('none', 'our own number'),
      contactId: p('identifier'),
      phone: p('contact_detail'),
      keyword: text('message_content', 'what the person texted to opt out'),
      optedOutAt: p('metadata'),
    },
  }),
  twilioPendingStatuses: entry({
    table: schema.twilioPendingStatuses,
    purpose: 'Delivery statuses from Twilio waiting for their message (seconds, at most)',
    reach: { subject: 'none' },
    columns: {
      messageSid: n('metadata', 'provider message id, no address'),
      status: n(),
      errorCode: n(),
      receivedAt: n(),
    },
  }),
  analyticsScope: entry({
    table: schema.analyticsScope,
    purpose: 'Analytics: who agreed to analysis, as of the last refresh, and their pseudonym in the rollups',
    staffOnly: 'an internal pseudonym',
    reach: { subject: 'contact', via: 'column', column: 'contactId' },
    columns: {
      contactId: p('identifier'),
      key: p(
        'identifier',
        'pseudonym standing for the contact in analytics_cells; goes with this row on withdrawal or erasure',
      ),
    },
  }),
  analyticsConsentQueue: entry({
    table: schema.analyticsConsentQueue,
    purpose: 'Analytics: contacts whose consent changed, to recheck at the next refresh',
    staffOnly: 'internal bookkeeping of a consent change',
    reach: { subject: 'contact', via: 'column', column: 'contactId' },
    columns: { id: n('metadata'), contactId: p('identifier'), dueAt: p('metadata', 'when the change takes effect') },
  }),
  analyticsCells: entry({
    table: schema.analyticsCells,
    purpose: 'Analytics: aggregates per 15 minutes of consenting contacts (the dashboard reads only these)',
    reach: { subject: 'none' },
    columns: {
      measure: n(),
      bucket: n('metadata', 'a quarter hour'),
      channel: n(),
      dim: n('none', 'reason, score, status or channel'),
      n: n('metadata', 'a count'),
      total: n('metadata', 'a sum of scores'),
      vals: n('metadata', 'durations in seconds, not linked to anyone'),
      distinctContacts: n('metadata', 'a count'),
      contacts: n(
        'metadata',
        'pseudonymous keys (analytics_scope.key), for the minimum cohort only; they point at nobody once the ' +
          'contact leaves the scope (withdrawal, erasure: the key goes with their analytics_scope row), and the ' +
          'next refresh recomputes those cells',
      ),
    },
  }),
  analyticsDirty: entry({
    table: schema.analyticsDirty,
    purpose: 'Analytics: quarter hours to recompute',
    reach: { subject: 'none' },
    columns: { bucket: n('metadata', 'a quarter hour') },
  }),
  analyticsState: entry({
    table: schema.analyticsState,
    purpose: 'Analytics: when the rollups were last refreshed',
    reach: { subject: 'none' },
    columns: { id: n(), refreshedAt: n(), k: n() },
  }),
  privacyRequests: entry({
    table: schema.privacyRequests,
    purpose: 'Accountability for data-subject requests (Art. 12(3), 5(2)): deadline, verification and outcome',
    // Kept after an erasure (contact_id goes null): the proof the request was answered. Ids, times, field names
    // and a legal basis only, so it holds nothing an erasure must remove.
    reach: { subject: 'none' },
    columns: {
      id: n('metadata'),
      contactId: n('metadata', 'an id; set null when the contact is erased'),
      kind: n(),
      source: n(),
      status: n(),
      language: n('metadata', 'the language the person is answered in'),
      fields: n('metadata', 'field names, never values'),
      receivedAt: n('metadata'),
      dueAt: n('metadata'),
      extendedAt: n('metadata'),
      extensionReason: n('metadata', 'staff text; must not quote the person'),
      assigneeId: n('metadata', 'an agent id'),
      loggedByAgentId: n('metadata', 'an agent id'),
      channel: n('metadata', 'how an agent received it: phone, email…'),
      note: n('metadata', 'staff text; must not quote the person'),
      verification: n('metadata', 'method, identity id and time; never the address or the code'),
      outcome: n('metadata', 'counts, a legal basis and a staff note; never personal data'),
      outcomeNotice: n('metadata', 'the channel kind the person was told on, or why not; never the address'),
      closedAt: n('metadata'),
    },
  }),
  privacyRequestCodes: entry({
    table: schema.privacyRequestCodes,
    purpose: 'Identity verification of the public request page: one-time codes, stored as hashes',
    staffOnly: 'hashes of one-time codes',
    reach: { subject: 'contact', via: 'join', column: 'identityId', through: 'contactIdentities' },
    columns: {
      id: n('metadata'),
      identityId: p('identifier'),
      codeHash: p('credential'),
      language: p('metadata'),
      createdAt: p('metadata'),
      expiresAt: p('metadata'),
      attempts: p('metadata'),
      verifiedAt: p('metadata'),
      sessionHash: p('credential'),
      sessionExpiresAt: p('metadata'),
    },
  }),
  breaches: entry({
    table: schema.breaches,
    purpose: 'Breach register (Art. 33(5)): facts, effects and measures of each personal-data breach',
    // Staff text about an incident: categories and approximate numbers, never who was affected (the finder counts
    // them live from the data and the audit log).
    reach: { subject: 'none' },
    columns: {
      id: n('metadata'),
      title: n('none', 'staff text; must not name a person'),
      description: n('none', 'staff text; must not name a person'),
      discoveredAt: n('metadata'),
      occurredFrom: n('metadata'),
      occurredTo: n('metadata'),
      dataCategories: n('none', 'categories, not data'),
      subjectCategories: n('none', 'categories of people'),
      approxSubjects: n('metadata', 'a count'),
      approxRecords: n('metadata', 'a count'),
      consequences: n('none', 'staff text'),
      measures: n('none', 'staff text'),
      authorityNotifiedAt: n('metadata'),
      authorityNote: n('none', 'staff text'),
      peopleNotifiedAt: n('metadata'),
      peopleNote: n('none', 'staff text'),
      recordedByAgentId: agentRef(),
      createdAt: n('metadata'),
      updatedAt: n('metadata'),
    },
  }),
  dpiaVersions: entry({
    table: schema.dpiaVersions,
    purpose: 'Data-protection impact assessment (Art. 35), every saved version',
    reach: { subject: 'none' },
    columns: {
      id: n('metadata'),
      version: n(),
      sections: n('none', 'the assessment: processing, risks and measures, no data about anyone'),
      note: n('none', 'staff text'),
      language: n(),
      savedByAgentId: agentRef(),
      savedAt: n('metadata'),
    },
  }),
  privacyDownloadLinks: entry({
    table: schema.privacyDownloadLinks,
    purpose: 'Delivering a self-service copy: an expiring download link, stored as a hash',
    staffOnly: 'hashes of download tokens',
    reach: { subject: 'contact', via: 'column', column: 'contactId' },
    columns: {
      id: n('metadata'),
      contactId: p('identifier'),
      requestId: p('metadata'),
      tokenHash: p('credential'),
      createdAt: p('metadata'),
      expiresAt: p('metadata'),
      downloads: p('metadata'),
      lastDownloadAt: p('metadata'),
    },
  }),
  privacyPendingChanges: entry({
    table: schema.privacyPendingChanges,
    purpose: 'Self-service rectification: a new email address or phone number until its one-time code is entered',
    staffOnly: 'a correction not yet verified, and the hash of its code',
    reach: { subject: 'contact', via: 'column', column: 'contactId' },
    columns: {
      id: n('metadata'),
      contactId: p('identifier'),
      requestId: p('metadata'),
      field: p('metadata'),
      value: p('contact_detail', 'the new address or number the person typed, kept until verified'),
      codeHash: p('credential'),
      createdAt: p('metadata'),
      expiresAt: p('metadata'),
      attempts: p('metadata'),
    },
  }),
} satisfies Record<string, Entry<PgTable>>;

export type CatalogEntry = (typeof catalog)[keyof typeof catalog];

/**
 * The catalog as the privacy operations read it: any set of entries. Operations take it from their
 * dependencies (defaulting to `catalog`), so a test can add a table and see every operation reach it.
 */
export type CatalogEntryShape = {
  table: PgTable;
  purpose: string;
  reach: Reach;
  columns: Record<string, ColumnTag>;
  staffOnly?: string;
  staffOnlyRows?: { column: string; values: readonly string[] };
};
export type PrivacyCatalog = Readonly<Record<string, CatalogEntryShape>>;
