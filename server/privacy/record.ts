import { desc, eq, getTableColumns, getTableName } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Db } from '../db/client.ts';
import type { Config } from '../config.ts';
import type { Art30Inbox, Art30Part } from '../../channels/types.ts';
import type { ChannelKind } from '../../drizzle/schema/enums.ts';
import { KEY_FILE_NAME } from '../security/keys.ts';
import { KEY_STORE_DIR_NAME } from '../security/key-store.ts';
import { dpiaVersions, inboxes, webhookSubscriptions } from '../../drizzle/schema/index.ts';
import type { ProcessingRecordView } from '../http/views/privacy.ts';
import { getPolicies } from './retention.ts';
import { catalogOf, type CatalogDeps } from './subject.ts';
import { ANCHOR_FILE_NAME } from './audit-anchor.ts';
import { ERASED_SUBJECTS_FILE_NAME } from './erased-subjects.ts';

/**
 * What the record is made of: the catalog (the data map), the controller, hosting and stores from the
 * configuration, and what each channel module says it adds for the inboxes that exist (its processors, and
 * activities such as call recording), only for what really connects to a provider.
 */
export type RecordDeps = CatalogDeps & {
  db: Db;
  config: Pick<
    Config,
    | 'controllerName'
    | 'controllerContact'
    | 'privacyPolicyUrl'
    | 'hosting'
    | 'analyticsMinCohort'
    | 'databaseUrl'
    | 'encryptionKey'
    | 'trashRetainDays'
  >;
  art30: (inboxes: Art30Inbox[]) => Art30Part;
};

/** The trash, where retention is described: what an agent deletes is not gone at once, and when it is. */
const trashText = (days: number) =>
  `a conversation an agent deletes stays in the trash for ${days} days (TRASH_RETAIN_DAYS), hidden from everyone ` +
  'but administrators, who can restore it; then the retention sweep deletes it with its files and recordings ' +
  '(erasure requests and retention policies delete at once, never through the trash)';

const columnName = (table: PgTable, property: string) =>
  (getTableColumns(table) as Record<string, PgColumn>)[property]!.name;

/** Tables of the database that are not in the catalog because they hold no data about anyone. */
export const BOOKKEEPING_TABLES = ['drizzle.__drizzle_migrations'];

/**
 * The data map and the Article 30 record of processing, generated from the personal-data catalog
 * and the live configuration (which channels are connected decides which channels' entries are listed).
 */
export async function buildRecord(deps: RecordDeps): Promise<ProcessingRecordView> {
  const { db, config } = deps;
  const inboxRows = await db
    .select({ id: inboxes.id, name: inboxes.name, channel: inboxes.channel, settings: inboxes.settings })
    .from(inboxes)
    .orderBy(inboxes.createdAt, inboxes.id);
  const art30 = deps.art30(inboxRows.map((i) => ({ ...i, channel: i.channel as ChannelKind })));
  // What the sweep applies now (a tightened value waiting out its grace period is not in force yet).
  const policies = (await getPolicies(db)).map((p) => ({ ...p, ...p.inForce }));
  const retentionText = (cls: string) => {
    const p = policies.find((x) => x.dataClass === cls);
    if (!p) return 'kept until erased';
    return p.enabled
      ? `${p.retainDays} days (${p.label.toLowerCase()})`
      : `kept until erased (no ${p.label.toLowerCase()} policy enabled)`;
  };

  const dataMap = Object.values(catalogOf(deps)).map((entry) => {
    const columns = Object.entries(entry.columns).map(([property, tag]) => ({
      name: columnName(entry.table, property),
      personal: tag.personal,
      category: tag.category,
      note: tag.note ?? null,
    }));
    return {
      table: getTableName(entry.table),
      purpose: entry.purpose,
      subject: entry.reach.subject,
      columns,
    };
  });
  const categoriesOf = (subject: string) =>
    [
      ...new Set(
        dataMap
          .filter((t) => t.subject === subject)
          .flatMap((t) => t.columns.filter((c) => c.personal).map((c) => c.category)),
      ),
    ].sort();

  const processors = [
    {
      name: config.hosting.name,
      role: 'Hosting of this server, its database and its file store',
      channels: ['all'],
      country: config.hosting.country,
      transferBasis: config.hosting.transferBasis,
      listedBecause: 'always (HOSTING_PROVIDER)',
    },
    ...art30.processors,
    ...(await webhookRecipients(db)),
  ];

  const processingActivities = [
    {
      name: 'Customer support',
      purpose: 'Answering customers’ requests on every channel and keeping the history needed to do so',
      legalBasis:
        'Art. 6(1)(b) GDPR (steps at the request of the data subject / contract); ' +
        'consent recorded in the widget before chatting',
      dataSubjects: ['customers and visitors who contact support'],
      dataCategories: categoriesOf('contact'),
      recipients: [
        'support agents, managers and administrators of the controller',
        ...processors.slice(1).map((p) => p.name),
      ],
      retention: `${retentionText('messages')}; ${trashText(config.trashRetainDays)}`,
    },
    {
      name: 'Support statistics',
      purpose:
        'Pseudonymous aggregates of support volume and quality (dashboards); a figure from fewer than ' +
        `${config.analyticsMinCohort} distinct contacts is suppressed`,
      legalBasis:
        'Art. 6(1)(a) GDPR: consent for the purpose "analytics", ' +
        'computed only over contacts whose current consent covers it',
      dataSubjects: ['customers who consented to analysis'],
      dataCategories: ['metadata', 'pseudonymous identifier'],
      recipients: ['managers and administrators'],
      retention:
        'stored rollups: analytics_scope gives each consenting contact a pseudonymous key; analytics_cells ' +
        'hold counts per 15 minutes, channel and measure with up to ' +
        `${config.analyticsMinCohort} of those keys per cell (to apply the minimum cohort). A contact's key goes ` +
        'with their analytics_scope row on withdrawal or erasure, and the cells are recomputed at the next ' +
        'refresh, before any figure is read; cells follow the retention of the messages and conversations they ' +
        'count',
    },
    ...art30.activities.map(({ channels: _channels, retentionClass, ...activity }) => ({
      ...activity,
      retention: retentionText(retentionClass),
    })),
    {
      name: 'Staff accounts and accountability',
      purpose: 'Signing in agents, enforcing roles, keeping an audit trail of actions on personal data',
      legalBasis: 'Art. 6(1)(c) and (f) GDPR; Art. 5(2) accountability',
      dataSubjects: ['employees using the inbox'],
      dataCategories: categoriesOf('agent'),
      recipients: ['administrators'],
      retention: 'for the duration of employment; audit entries hold ids only',
    },
  ];

  return {
    generatedAt: new Date().toISOString(),
    controller: {
      name: config.controllerName,
      contact: config.controllerContact ?? null,
      privacyPolicyUrl: config.privacyPolicyUrl ?? null,
    },
    processingActivities,
    processors,
    inboxes: inboxRows.map((i) => ({
      name: i.name,
      channel: i.channel,
      connection:
        art30.inboxes[i.id] ??
        'not connected to any provider (e.g. demo data): its conversations are stored here, ' +
          'nothing is sent to or received from a processor',
    })),
    stores: storesOf(
      deps,
      dataMap.map((t) => t.table),
    ),
    retention: policies.map((p) => ({
      dataClass: p.dataClass,
      label: p.label,
      enabled: p.enabled,
      retainDays: p.retainDays,
      description: p.description,
    })),
    trash: { retainDays: config.trashRetainDays, description: trashText(config.trashRetainDays) },
    securityMeasures: [
      'Role-based access (agent, manager, admin) enforced on every API route',
      'Passwords hashed with scrypt; httpOnly SameSite session cookies; CSRF tokens on writes',
      'No personal data in server logs',
      'Append-only, hash-chained audit log with a verification command',
      'Erasure across every table, file and provider copy; legal holds; scheduled retention',
    ],
    dpia: { href: DPIA_PRINT_URL, version: (await latestDpiaVersion(db)) ?? null },
    dataMap,
  };
}

/** The DPIA's printable page (server/routes/breaches.ts), linked from the record. */
export const DPIA_PRINT_URL = '/api/privacy/dpia/print';
const latestDpiaVersion = async (db: Db) =>
  (await db.select({ v: dpiaVersions.version }).from(dpiaVersions).orderBy(desc(dpiaVersions.version)).limit(1))[0]?.v;

/**
 * Outgoing webhooks that send content (message text, names, consent states) make their receiver a recipient of
 * personal data; those that send ids only are not listed (an id alone tells the receiver nothing it did not know).
 */
async function webhookRecipients(db: Db): Promise<ProcessingRecordView['processors']> {
  const rows = await db
    .select()
    .from(webhookSubscriptions)
    .where(eq(webhookSubscriptions.includeContent, true))
    .orderBy(webhookSubscriptions.createdAt, webhookSubscriptions.id);
  return rows.map((row) => ({
    name: `Webhook receiver "${row.name}" (${new URL(row.url).host})`,
    role:
      `Receives the events ${row.events.join(', ')} with their content (conversations, messages, consent states)` +
      (row.pausedAt ? '; paused' : ''),
    channels: ['all'],
    country: 'as agreed with the receiver (not known to this server)',
    transferBasis: 'to be documented by the controller for this receiver',
    listedBecause: 'an outgoing webhook with "include content" on (Agents page, Webhooks)',
  }));
}

/**
 * Where the server keeps data. The database holds the data map's tables (and bookkeeping), the file store the
 * catalog's file columns, the key file only a key. test/integration/record-truth.test.ts fails when a table,
 * a file column or an entry of DATA_DIR exists that no store here describes.
 */
function storesOf(deps: RecordDeps, tables: string[]): ProcessingRecordView['stores'] {
  const { config } = deps;
  const files = Object.values(catalogOf(deps)).flatMap((entry) =>
    Object.entries(entry.columns)
      .filter(([, tag]) => tag.file)
      .map(([property, tag]) => ({
        column: `${getTableName(entry.table)}.${columnName(entry.table, property)}`,
        retention: tag.file!.retention,
      })),
  );
  return [
    {
      name: 'Database',
      location: config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : 'embedded PGlite in DATA_DIR/pglite',
      contents:
        `every table of the data map (${tables.length} tables); ${BOOKKEEPING_TABLES.join(', ')} ` +
        '(the applied migrations, no personal data)',
      personalData: true,
      dataDirPaths: config.databaseUrl ? [] : ['pglite'],
      tables: [...tables, ...BOOKKEEPING_TABLES],
      files: [],
    },
    {
      name: 'File store',
      location: 'DATA_DIR/blobs (random file names)',
      contents:
        'the files named by ' +
        files.map((f) => `${f.column} (removed by the ${f.retention} retention and with their row)`).join(', ') +
        '; encrypted with the data keys of the people they belong to (files from before encryption until ' +
        'npm run privacy:encrypt-existing has run)',
      personalData: true,
      dataDirPaths: ['blobs'],
      tables: [],
      files: files.map((f) => f.column),
    },
    {
      name: 'Master key file',
      location: config.encryptionKey ? 'not used (ENCRYPTION_KEY is set)' : `DATA_DIR/${KEY_FILE_NAME}`,
      contents:
        'the key that encrypts the secrets stored in the database and wraps the data keys of the key store; ' +
        'no personal data',
      personalData: false,
      dataDirPaths: config.encryptionKey ? [] : [KEY_FILE_NAME],
      tables: [],
      files: [],
    },
    {
      name: 'Key store',
      location: `DATA_DIR/${KEY_STORE_DIR_NAME} (one file per person, named by contact id)`,
      contents:
        'each person’s data key, wrapped by the master key; erasure deletes the person’s file, which makes their ' +
        'encrypted files and consent evidence unreadable in every copy, backups included; no readable personal data',
      personalData: true,
      dataDirPaths: [KEY_STORE_DIR_NAME],
      tables: [],
      files: [],
    },
    {
      name: 'Audit anchors',
      location: `DATA_DIR/${ANCHOR_FILE_NAME}`,
      contents:
        'signed heads of the audit log (entry id, hash, count, time, key id), so that a truncated or rewritten ' +
        'log is detected; no personal data',
      personalData: false,
      dataDirPaths: [ANCHOR_FILE_NAME],
      tables: [],
      files: [],
    },
    {
      name: 'Erased subjects',
      location: `DATA_DIR/${ERASED_SUBJECTS_FILE_NAME} (and the erased_subjects table)`,
      contents:
        'keyed hashes (HMAC) of the identifiers of erased people and their former contact ids, kept so that ' +
        'erasures are applied again after a backup is restored; no names, no readable identifiers',
      personalData: true,
      dataDirPaths: [ERASED_SUBJECTS_FILE_NAME],
      tables: [],
      files: [],
    },
  ];
}
