import { getTableColumns, getTableName } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Db } from '../db/client.ts';
import type { Config } from '../config.ts';
import type { Art30Activity, Art30Processor } from '../../channels/types.ts';
import { inboxes } from '../../drizzle/schema/index.ts';
import type { ProcessingRecordView } from '../http/views/privacy.ts';
import { getPolicies } from './retention.ts';
import { catalogOf, type CatalogDeps } from './subject.ts';

/**
 * What the record is made of: the catalog (the data map), the controller from the configuration, and
 * what each channel module declares it adds (its processors, and activities such as call recording).
 */
export type RecordDeps = CatalogDeps & {
  db: Db;
  config: Pick<Config, 'controllerName' | 'controllerContact'>;
  art30: { processors: Art30Processor[]; activities: Art30Activity[] };
};

/**
 * The data map and the Article 30 record of processing, generated from the personal-data catalog
 * and the live configuration (which channels are connected decides which channels' entries are listed).
 */
export async function buildRecord(deps: RecordDeps): Promise<ProcessingRecordView> {
  const { db } = deps;
  const channels = new Set(
    (await db.selectDistinct({ channel: inboxes.channel }).from(inboxes)).map((r) => r.channel as string),
  );
  const connected = (entry: { channels: readonly string[] }) => entry.channels.some((c) => channels.has(c));
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
      name: (getTableColumns(entry.table) as Record<string, PgColumn>)[property]!.name,
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
      name: 'Hosting of this server and its database',
      role: 'Operator-chosen infrastructure',
      channels: ['all'],
      location: 'as deployed',
    },
    ...deps.art30.processors.filter(connected),
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
      retention: retentionText('messages'),
    },
    {
      name: 'Support statistics',
      purpose: 'Aggregated reports on support volume and quality',
      legalBasis:
        'Art. 6(1)(a) GDPR: consent for the purpose "analytics", ' +
        'computed only over contacts whose current consent covers it',
      dataSubjects: ['customers who consented to analysis'],
      dataCategories: ['metadata'],
      recipients: ['managers and administrators'],
      retention: 'aggregates are computed on demand; nothing is stored',
    },
    ...deps.art30.activities.filter(connected).map(({ channels: _channels, retentionClass, ...activity }) => ({
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
    controller: { name: deps.config.controllerName, contact: deps.config.controllerContact ?? null },
    processingActivities,
    processors,
    retention: policies.map((p) => ({
      dataClass: p.dataClass,
      label: p.label,
      enabled: p.enabled,
      retainDays: p.retainDays,
      description: p.description,
    })),
    securityMeasures: [
      'Role-based access (agent, manager, admin) enforced on every API route',
      'Passwords hashed with scrypt; httpOnly SameSite session cookies; CSRF tokens on writes',
      'No personal data in server logs',
      'Append-only, hash-chained audit log with a verification command',
      'Erasure across every table, file and provider copy; legal holds; scheduled retention',
    ],
    dataMap,
  };
}
