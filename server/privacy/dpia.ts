import { desc, eq } from 'drizzle-orm';
import type { Config } from '../config.ts';
import { agents, dpiaVersions } from '../../drizzle/schema/index.ts';
import type { DpiaSave, DpiaVersionList, DpiaView } from '../http/views/breaches.ts';
import type { ProcessingRecordView } from '../http/views/privacy.ts';
import { conflict, notFound } from '../domain/errors.ts';
import { appendAudit, type AuditEntry } from './audit.ts';
import { buildRecord, type RecordDeps } from './record.ts';

/**
 * The data-protection impact assessment (Art. 35). The draft is generated like the Art. 30 record, from the catalog
 * and the live configuration, so it describes what this installation really does; admins then edit it (the risk
 * judgement and the sign-off are theirs) and every save is a new version.
 */
export type DpiaDeps = RecordDeps & { clock: () => Date; config: Pick<Config, 'botEnabled' | 'botEmbedder'> };
type Actor = Pick<AuditEntry, 'actorKind' | 'actorId'>;
type Section = DpiaView['sections'][number];

const bullets = (items: string[]) => items.map((i) => `- ${i}`).join('\n');

function botSection(deps: DpiaDeps): Section {
  const embedder = deps.config.botEmbedder.kind;
  const body = deps.config.botEnabled
    ? [
        'New chat conversations are first answered by an automated assistant. It compares the visitor’s question ' +
          'with the knowledge base’s articles on this server' +
          (embedder === 'lexical' ? ' (by their words)' : ` (with the local "${embedder}" embedding model)`) +
          '; no message leaves the installation for this.',
        bullets([
          'The first bot message says that it is an automated assistant, not a person.',
          'It answers only above a calibrated confidence and otherwise hands the conversation to a person; the ' +
            'visitor can ask for a person at any time.',
          'Every decision (answer, hand-off, silence) is logged with its candidates and reason for review.',
          'The bot takes no decision with legal or similarly significant effects on anyone (Art. 22 GDPR does ' +
            'not apply): it answers questions from published help articles.',
          'It reads the conversation it answers, nothing else about the person.',
        ]),
      ].join('\n\n')
    : 'The automated assistant is switched off (BOT_ENABLED=false): no conversation is answered automatically. ' +
      'Should it be switched on, this section must be reviewed.';
  return { id: 'automated-processing', title: 'Automated processing (the bot)', body };
}

/** The generated draft, section by section (Art. 35(7)(a)–(d)). */
export async function draftDpia(deps: DpiaDeps): Promise<Section[]> {
  const record: ProcessingRecordView = await buildRecord(deps);
  const personalTables = record.dataMap.filter((t) => t.columns.some((c) => c.personal));
  const categories = [
    ...new Set(personalTables.flatMap((t) => t.columns.filter((c) => c.personal).map((c) => c.category))),
  ];
  return [
    {
      id: 'description',
      title: 'Systematic description of the processing',
      body: [
        `Controller: ${record.controller.name}${record.controller.contact ? ` (${record.controller.contact})` : ''}.`,
        'Processing operations, their purposes and legal bases:',
        bullets(record.processingActivities.map((a) => `${a.name}: ${a.purpose}. Legal basis: ${a.legalBasis}.`)),
        'Inboxes (channels) in use:',
        bullets(record.inboxes.map((i) => `${i.name} (${i.channel}): ${i.connection}`)),
      ].join('\n\n'),
    },
    {
      id: 'data',
      title: 'Personal data and data subjects',
      body: [
        `Categories of personal data: ${categories
          .sort()
          .map((c) => c.replace('_', ' '))
          .join(', ')}.`,
        `Data subjects: ${[...new Set(record.processingActivities.flatMap((a) => a.dataSubjects))].join('; ')}.`,
        `${personalTables.length} tables hold personal data; each column is listed in the data map of the ` +
          'Art. 30 record.',
      ].join('\n\n'),
    },
    {
      id: 'recipients',
      title: 'Recipients and transfers',
      body: bullets([
        ...record.processors.map(
          (p) => `${p.name} — ${p.role}; ${p.country}; transfer basis: ${p.transferBasis} (${p.listedBecause})`,
        ),
        'Staff of the controller according to their role (agent, manager, administrator) and inbox access.',
      ]),
    },
    {
      id: 'retention',
      title: 'Retention',
      body: bullets(
        record.retention.map(
          (r) => `${r.label}: ${r.enabled ? `${r.retainDays} days` : 'no period set'} — ${r.description}`,
        ),
      ),
    },
    botSection(deps),
    {
      id: 'necessity',
      title: 'Necessity and proportionality',
      body: bullets([
        'Only what is needed to answer a request is stored; the widget stores nothing before the notice is accepted.',
        'Support statistics use pseudonymous keys and only people who consented; small groups are suppressed.',
        'People can get a copy, correct, restrict, object to and erase their data themselves or through staff; ' +
          'requests are tracked against their statutory deadline.',
      ]),
    },
    {
      id: 'risks',
      title: 'Risks to the rights and freedoms of data subjects',
      body: bullets([
        'Unauthorised access to conversations, files or call recordings (account takeover, misconfigured access).',
        'Disclosure to a provider or a third country through a connected channel.',
        'Keeping data longer than needed.',
        'A wrong or misleading automated answer.',
        'Re-identification of people from support statistics.',
        'Loss or alteration of the records needed to show compliance.',
      ]),
    },
    {
      id: 'measures',
      title: 'Measures addressing the risks',
      body: bullets([
        ...record.securityMeasures,
        'Breach register with the 72-hour clock to the authority and a finder of the people affected.',
        'Hand-off to a person whenever the bot is not confident; every bot decision logged.',
      ]),
    },
    {
      id: 'sign-off',
      title: 'Consultation and sign-off',
      body:
        'To be completed by the controller: the data protection officer’s advice, the views of data subjects ' +
        'where sought, the residual risk and whether the supervisory authority must be consulted (Art. 36).',
    },
  ];
}

const versionSelect = (deps: DpiaDeps) =>
  deps.db
    .select({ v: dpiaVersions, by: agents.name })
    .from(dpiaVersions)
    .leftJoin(agents, eq(agents.id, dpiaVersions.savedByAgentId));

/** The latest saved version, or the generated draft when none was saved yet. */
export async function currentDpia(deps: DpiaDeps): Promise<DpiaView> {
  const [latest] = await versionSelect(deps).orderBy(desc(dpiaVersions.version)).limit(1);
  if (!latest) return { version: null, savedAt: null, savedBy: null, note: null, sections: await draftDpia(deps) };
  return viewOf(latest);
}

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
    })),
  };
}

/** Saves the text as the next version; the audit entry names the version and the section ids, not the text. */
export async function saveDpia(deps: DpiaDeps, input: DpiaSave, agentId: string, actor: Actor): Promise<DpiaView> {
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
