import { desc, eq } from 'drizzle-orm';
import type { Config } from '../config.ts';
import { agents, dpiaVersions } from '../../drizzle/schema/index.ts';
import type { DpiaSave, DpiaVersionList, DpiaView } from '../http/views/breaches.ts';
import type { ProcessingRecordView } from '../http/views/privacy.ts';
import { conflict, notFound } from '../domain/errors.ts';
import { appendAudit, type AuditEntry } from './audit.ts';
import { buildRecord, type RecordDeps } from './record.ts';
import type { Locale, Translate } from '../../web/i18n/index.ts';
import { serverRecordTranslator } from '../../web/i18n/server-catalog.ts';

/**
 * The data-protection impact assessment (Art. 35). The draft is generated like the Art. 30 record, from the catalog
 * and the live configuration, so it describes what this installation really does; admins then edit it (the risk
 * judgement and the sign-off are theirs) and every save is a new version.
 */
export type DpiaDeps = RecordDeps & { clock: () => Date; config: Pick<Config, 'botEnabled' | 'botEmbedder'> };
type Actor = Pick<AuditEntry, 'actorKind' | 'actorId'>;
type Section = DpiaView['sections'][number];

const bullets = (items: string[]) => items.map((i) => `- ${i}`).join('\n');

function botSection(deps: DpiaDeps, t: Translate): Section {
  const embedder = deps.config.botEmbedder.kind;
  const body = deps.config.botEnabled
    ? [
        t('dpia.bot.intro', {
          how: embedder === 'lexical' ? t('dpia.bot.lexical') : t('dpia.bot.model', { model: embedder }),
        }),
        bullets(['disclosure', 'threshold', 'logged', 'art22', 'reads'].map((k) => t(`dpia.bot.${k}`))),
      ].join('\n\n')
    : t('dpia.bot.off');
  return { id: 'automated-processing', title: t('dpia.bot.title'), body };
}

/**
 * The generated draft, section by section (Art. 35(7)(a)–(d)), in the language of the admin who asks for it
 * (web/i18n server-record namespace, `dpia.*`); the record it quotes is built in the same language.
 */
export async function draftDpia(deps: DpiaDeps, locale: Locale = 'en'): Promise<Section[]> {
  const t = serverRecordTranslator(locale);
  const record: ProcessingRecordView = await buildRecord(deps, locale);
  const personalTables = record.dataMap.filter((m) => m.columns.some((c) => c.personal));
  const categories = [
    ...new Set(personalTables.flatMap((m) => m.columns.filter((c) => c.personal).map((c) => c.category))),
  ];
  const { name, contact } = record.controller;
  return [
    {
      id: 'description',
      title: t('dpia.description.title'),
      body: [
        contact
          ? t('dpia.description.controllerContact', { name, contact })
          : t('dpia.description.controller', { name }),
        t('dpia.description.operations'),
        bullets(record.processingActivities.map((a) => t('dpia.description.operation', a))),
        t('dpia.description.inboxes'),
        bullets(record.inboxes.map((i) => `${i.name} (${i.channel}): ${i.connection}`)),
      ].join('\n\n'),
    },
    {
      id: 'data',
      title: t('dpia.data.title'),
      body: [
        t('dpia.data.categories', {
          categories: categories
            .sort()
            .map((c) => t(`category.${c}`, { defaultValue: c.replace('_', ' ') }))
            .join(', '),
        }),
        t('dpia.data.subjects', {
          subjects: [...new Set(record.processingActivities.flatMap((a) => a.dataSubjects))].join('; '),
        }),
        t('dpia.data.tables', { count: personalTables.length }),
      ].join('\n\n'),
    },
    {
      id: 'recipients',
      title: t('dpia.recipients.title'),
      body: bullets([...record.processors.map((p) => t('dpia.recipients.processor', p)), t('dpia.recipients.staff')]),
    },
    {
      id: 'retention',
      title: t('dpia.retention.title'),
      body: bullets(
        record.retention.map((r) =>
          t('dpia.retention.policy', {
            label: r.label,
            period: r.enabled ? t('dpia.retention.days', { days: r.retainDays }) : t('dpia.retention.none'),
            description: r.description,
          }),
        ),
      ),
    },
    botSection(deps, t),
    {
      id: 'necessity',
      title: t('dpia.necessity.title'),
      body: bullets(['minimal', 'statistics', 'rights'].map((k) => t(`dpia.necessity.${k}`))),
    },
    {
      id: 'risks',
      title: t('dpia.risks.title'),
      body: bullets(
        ['access', 'disclosure', 'keeping', 'answer', 'reidentification', 'loss'].map((k) => t(`dpia.risks.${k}`)),
      ),
    },
    {
      id: 'measures',
      title: t('dpia.measures.title'),
      body: bullets([...record.securityMeasures, t('dpia.measures.breaches'), t('dpia.measures.handoff')]),
    },
    { id: 'sign-off', title: t('dpia.signoff.title'), body: t('dpia.signoff.body') },
  ];
}

const versionSelect = (deps: DpiaDeps) =>
  deps.db
    .select({ v: dpiaVersions, by: agents.name })
    .from(dpiaVersions)
    .leftJoin(agents, eq(agents.id, dpiaVersions.savedByAgentId));

/** The latest saved version, or the generated draft when none was saved yet. */
export async function currentDpia(deps: DpiaDeps, locale: Locale = 'en'): Promise<DpiaView> {
  const [latest] = await versionSelect(deps).orderBy(desc(dpiaVersions.version)).limit(1);
  if (!latest) return draftView(deps, locale);
  return viewOf(latest);
}

/** A fresh draft in the given language, not saved. */
export const draftView = async (deps: DpiaDeps, locale: Locale): Promise<DpiaView> => ({
  version: null,
  savedAt: null,
  savedBy: null,
  note: null,
  language: locale,
  sections: await draftDpia(deps, locale),
});

export async function dpiaVersion(deps: DpiaDeps, version: number): Promise<DpiaView> {
  const [row] = await versionSelect(deps).where(eq(dpiaVersions.version, version));
  if (!row) throw notFound('DPIA version');
  return viewOf(row);
}

const viewOf = (row: { v: typeof dpiaVersions.$inferSelect; by: string | null }): DpiaView => ({
  version: row.v.version,
  savedAt: row.v.savedAt.toISOString(),
  savedBy: row.by,
  note: row.v.note,
  language: row.v.language as Locale,
  sections: row.v.sections,
});

export async function listDpiaVersions(deps: DpiaDeps): Promise<DpiaVersionList> {
  const rows = await versionSelect(deps).orderBy(desc(dpiaVersions.version));
  return {
    items: rows.map((r) => ({
      version: r.v.version,
      savedAt: r.v.savedAt.toISOString(),
      savedBy: r.by,
      note: r.v.note,
      language: r.v.language as Locale,
    })),
  };
}

/** Saves the text as the next version; the audit entry names the version and the section ids, not the text. */
/**
 * `language`: the language the text is written in (the draft's, as the inbox says; else the saving admin's), kept
 * with the version so that it is printed as such.
 */
export async function saveDpia(
  deps: DpiaDeps,
  input: DpiaSave,
  agentId: string,
  actor: Actor,
  language: Locale = 'en',
): Promise<DpiaView> {
  const ids = input.sections.map((s) => s.id);
  if (new Set(ids).size !== ids.length) throw conflict('duplicate_section', 'Two sections have the same id');
  const version = await deps.db.transaction(async (tx) => {
    const [last] = await tx
      .select({ version: dpiaVersions.version })
      .from(dpiaVersions)
      .orderBy(desc(dpiaVersions.version))
      .limit(1);
    const next = (last?.version ?? 0) + 1;
    // Two admins saving at once: the unique index gives the number to one; the other's save fails and is repeated.
    await tx.insert(dpiaVersions).values({
      version: next,
      sections: input.sections,
      note: input.note?.trim() || null,
      language: input.language ?? language,
      savedByAgentId: agentId,
      savedAt: deps.clock(),
    });
    await appendAudit(tx, {
      ...actor,
      action: 'dpia.saved',
      targetType: 'dpia',
      targetId: String(next),
      details: { version: next, sections: ids },
    });
    return next;
  });
  return dpiaVersion(deps, version);
}
