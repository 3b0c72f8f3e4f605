import { desc, eq, getTableColumns, getTableName } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Db } from '../db/client.ts';
import { DEFAULT_CONTROLLER_NAME, type Config } from '../config.ts';
import type { Art30Inbox, Art30Part } from '../../channels/types.ts';
import type { ChannelKind } from '../../drizzle/schema/enums.ts';
import { KEY_FILE_NAME } from '../security/keys.ts';
import { KEY_STORE_DIR_NAME } from '../security/key-store.ts';
import { dpiaVersions, inboxes, webhookSubscriptions } from '../../drizzle/schema/index.ts';
import type { ProcessingRecordView } from '../http/views/privacy.ts';
import { getPolicies } from './retention.ts';
import { trashWindow } from '../domain/trash-window.ts';
import { catalogOf, type CatalogDeps } from './subject.ts';
import { ANCHOR_FILE_NAME } from './audit-anchor.ts';
import { ERASED_SUBJECTS_FILE_NAME } from './erased-subjects.ts';
import type { Locale, Translate } from '../../web/i18n/index.ts';
import { serverRecordTranslator } from '../../web/i18n/server-catalog.ts';

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
  /** What the channels add, in the words of the record's language (`t` of the server-record namespace). */
  art30: (inboxes: Art30Inbox[], t?: Translate) => Art30Part;
};

/** The trash, where retention is described: what an agent deletes is not gone at once, and when it is. */
const trashText = (t: Translate, days: number) => t('record.trash', { days });

/**
 * A text the product wrote (a table's purpose, a column's note, a retention class's label) in the record's
 * language; one it has no words for (a table or class added later, a test's fixture) stays as written.
 */
const known = (t: Translate, key: string, english: string) => t(key, { defaultValue: english });

/**
 * A processor's country or transfer basis: the operator's own words as configured, or the module's default, which
 * the configuration marks "(default; set VARIABLE)" and the record says in its language.
 */
export function placeText(t: Translate, text: string): string {
  const match = /^(.*) \(default; set ([A-Z0-9_]+)\)$/s.exec(text);
  if (!match) return text;
  const [, fallback, variable] = match;
  const english = serverRecordTranslator('en');
  const key = DEFAULT_PLACE_KEYS.find((k) => english(`defaults.${k}`) === fallback);
  return t('defaults.unset', { text: key ? t(`defaults.${key}`) : fallback, variable });
}
/** The defaults of server/config.ts (hosting) and of the channel modules' processorPlace, in server-record. */
const DEFAULT_PLACE_KEYS = [
  'hostingName',
  'hostingCountry',
  'hostingTransfer',
  'usa',
  'twilioTransfer',
  'slackTransfer',
  'emailCountry',
  'emailTransfer',
];

/** The controller's name as configured, or the unset default in the record's language. */
export const controllerText = (t: Translate, name: string) =>
  name === DEFAULT_CONTROLLER_NAME ? t('defaults.controllerName') : name;

/** The category of data (drizzle/catalog.ts Category) in the record's language. */
const categoryText = (t: Translate, category: string) => known(t, `category.${category}`, category.replace('_', ' '));

const columnName = (table: PgTable, property: string) =>
  (getTableColumns(table) as Record<string, PgColumn>)[property]!.name;

/** Tables of the database that are not in the catalog because they hold no data about anyone. */
export const BOOKKEEPING_TABLES = ['drizzle.__drizzle_migrations'];

/**
 * The data map and the Article 30 record of processing, generated from the personal-data catalog
 * and the live configuration (which channels are connected decides which channels' entries are listed).
 */
export async function buildRecord(deps: RecordDeps, locale: Locale = 'en'): Promise<ProcessingRecordView> {
  const { db, config } = deps;
  const t = serverRecordTranslator(locale);
  const inboxRows = await db
    .select({ id: inboxes.id, name: inboxes.name, channel: inboxes.channel, settings: inboxes.settings })
    .from(inboxes)
    .orderBy(inboxes.createdAt, inboxes.id);
  const art30 = deps.art30(
    inboxRows.map((i) => ({ ...i, channel: i.channel as ChannelKind })),
    t,
  );
  // What the sweep applies now (a tightened value waiting out its grace period is not in force yet).
  const policies = (await getPolicies(db)).map((p) => ({ ...p, ...p.inForce }));
  const { retainDays: trashDays } = await trashWindow(db, config.trashRetainDays);
  const retentionText = (cls: string) => {
    const p = policies.find((x) => x.dataClass === cls);
    if (!p) return t('record.keptUntilErased');
    const label = policyLabel(t, p);
    return p.enabled ? t('record.retainedFor', { days: p.retainDays, label }) : t('record.noPolicy', { label });
  };

  const dataMap = Object.values(catalogOf(deps)).map((entry) => {
    const columns = Object.entries(entry.columns).map(([property, tag]) => ({
      name: columnName(entry.table, property),
      personal: tag.personal,
      category: tag.category,
      note: tag.note
        ? known(t, `notes.${getTableName(entry.table)}.${columnName(entry.table, property)}`, tag.note)
        : null,
    }));
    return {
      table: getTableName(entry.table),
      purpose: known(t, `tables.${getTableName(entry.table)}`, entry.purpose),
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
    ]
      .sort()
      .map((c) => categoryText(t, c));
  const all = t('record.allChannels');

  const processors = [
    {
      name: placeText(t, config.hosting.name),
      role: t('record.hosting.role'),
      channels: [all],
      country: placeText(t, config.hosting.country),
      transferBasis: placeText(t, config.hosting.transferBasis),
      listedBecause: t('record.hosting.listedBecause'),
    },
    ...art30.processors.map((p) => ({
      ...p,
      country: placeText(t, p.country),
      transferBasis: placeText(t, p.transferBasis),
    })),
    ...(await webhookRecipients(db, t)),
  ];

  const processingActivities = [
    {
      name: t('record.support.name'),
      purpose: t('record.support.purpose'),
      legalBasis: t('record.support.legalBasis'),
      dataSubjects: [t('record.support.subjects')],
      dataCategories: categoriesOf('contact'),
      recipients: [t('record.support.staff'), ...processors.slice(1).map((p) => p.name)],
      retention: `${retentionText('messages')}; ${trashText(t, trashDays)}`,
    },
    {
      name: t('record.statistics.name'),
      purpose: t('record.statistics.purpose', { cohort: config.analyticsMinCohort }),
      legalBasis: t('record.statistics.legalBasis'),
      dataSubjects: [t('record.statistics.subjects')],
      dataCategories: [categoryText(t, 'metadata'), t('record.statistics.pseudonym')],
      recipients: [t('record.statistics.recipients')],
      retention: t('record.statistics.retention', { cohort: config.analyticsMinCohort }),
    },
    ...art30.activities.map(({ channels: _channels, retentionClass, ...activity }) => ({
      ...activity,
      dataCategories: activity.dataCategories.map((c) => categoryText(t, c)),
      retention: retentionText(retentionClass),
    })),
    {
      name: t('record.staff.name'),
      purpose: t('record.staff.purpose'),
      legalBasis: t('record.staff.legalBasis'),
      dataSubjects: [t('record.staff.subjects')],
      dataCategories: categoriesOf('agent'),
      recipients: [t('record.staff.recipients')],
      retention: t('record.staff.retention'),
    },
  ];

  return {
    generatedAt: new Date().toISOString(),
    controller: {
      name: controllerText(t, config.controllerName),
      contact: config.controllerContact ?? null,
      privacyPolicyUrl: config.privacyPolicyUrl ?? null,
    },
    processingActivities,
    processors,
    inboxes: inboxRows.map((i) => ({
      name: i.name,
      channel: i.channel,
      connection: art30.inboxes[i.id] ?? t('record.notConnected'),
    })),
    stores: storesOf(
      deps,
      t,
      dataMap.map((m) => m.table),
    ),
    retention: policies.map((p) => ({
      dataClass: p.dataClass,
      label: policyLabel(t, p),
      enabled: p.enabled,
      retainDays: p.retainDays,
      description: known(t, `policies.${p.dataClass}.description`, p.description),
    })),
    trash: { retainDays: trashDays, description: trashText(t, trashDays) },
    securityMeasures: ['roles', 'passwords', 'logs', 'audit', 'erasure'].map((m) => t(`record.measures.${m}`)),
    dpia: { href: DPIA_PRINT_URL, version: (await latestDpiaVersion(db)) ?? null },
    dataMap,
  };
}

const policyLabel = (t: Translate, p: { dataClass: string; label: string }) =>
  known(t, `policies.${p.dataClass}.label`, p.label);

/** The DPIA's printable page (server/routes/breaches.ts), linked from the record. */
export const DPIA_PRINT_URL = '/api/privacy/dpia/print';
const latestDpiaVersion = async (db: Db) =>
  (await db.select({ v: dpiaVersions.version }).from(dpiaVersions).orderBy(desc(dpiaVersions.version)).limit(1))[0]?.v;

/**
 * Outgoing webhooks that send content (message text, names, consent states) make their receiver a recipient of
 * personal data; those that send ids only are not listed (an id alone tells the receiver nothing it did not know).
 */
async function webhookRecipients(db: Db, t: Translate): Promise<ProcessingRecordView['processors']> {
  const rows = await db
    .select()
    .from(webhookSubscriptions)
    .where(eq(webhookSubscriptions.includeContent, true))
    .orderBy(webhookSubscriptions.createdAt, webhookSubscriptions.id);
  return rows.map((row) => ({
    name: t('record.webhook.name', { name: row.name, host: new URL(row.url).host }),
    role: t(row.pausedAt ? 'record.webhook.rolePaused' : 'record.webhook.role', { events: row.events.join(', ') }),
    channels: [t('record.allChannels')],
    country: t('record.webhook.country'),
    transferBasis: t('record.webhook.transferBasis'),
    listedBecause: t('record.webhook.listedBecause'),
  }));
}

/**
 * Where the server keeps data. The database holds the data map's tables (and bookkeeping), the file store the
 * catalog's file columns, the key file only a key. test/integration/record-truth.test.ts fails when a table,
 * a file column or an entry of DATA_DIR exists that no store here describes.
 */
function storesOf(deps: RecordDeps, t: Translate, tables: string[]): ProcessingRecordView['stores'] {
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
      name: t('record.stores.database.name'),
      location: config.databaseUrl ? t('record.stores.database.postgres') : t('record.stores.database.pglite'),
      contents: t('record.stores.database.contents', {
        count: tables.length,
        bookkeeping: BOOKKEEPING_TABLES.join(', '),
      }),
      personalData: true,
      dataDirPaths: config.databaseUrl ? [] : ['pglite'],
      tables: [...tables, ...BOOKKEEPING_TABLES],
      files: [],
    },
    {
      name: t('record.stores.files.name'),
      location: t('record.stores.files.location'),
      contents: t('record.stores.files.contents', {
        files: files
          .map((f) =>
            t('record.stores.files.file', {
              column: f.column,
              retention: policyLabel(t, { dataClass: f.retention, label: f.retention }),
            }),
          )
          .join(', '),
      }),
      personalData: true,
      dataDirPaths: ['blobs'],
      tables: [],
      files: files.map((f) => f.column),
    },
    {
      name: t('record.stores.key.name'),
      location: config.encryptionKey ? t('record.stores.key.notUsed') : `DATA_DIR/${KEY_FILE_NAME}`,
      contents: t('record.stores.key.contents'),
      personalData: false,
      dataDirPaths: config.encryptionKey ? [] : [KEY_FILE_NAME],
      tables: [],
      files: [],
    },
    {
      name: t('record.stores.keyStore.name'),
      location: t('record.stores.keyStore.location', { dir: KEY_STORE_DIR_NAME }),
      contents: t('record.stores.keyStore.contents'),
      personalData: true,
      dataDirPaths: [KEY_STORE_DIR_NAME],
      tables: [],
      files: [],
    },
    {
      name: t('record.stores.anchors.name'),
      location: `DATA_DIR/${ANCHOR_FILE_NAME}`,
      contents: t('record.stores.anchors.contents'),
      personalData: false,
      dataDirPaths: [ANCHOR_FILE_NAME],
      tables: [],
      files: [],
    },
    {
      name: t('record.stores.erased.name'),
      location: t('record.stores.erased.location', { file: `DATA_DIR/${ERASED_SUBJECTS_FILE_NAME}` }),
      contents: t('record.stores.erased.contents'),
      personalData: true,
      dataDirPaths: [ERASED_SUBJECTS_FILE_NAME],
      tables: [],
      files: [],
    },
  ];
}
