import { openContactFields } from '../domain/contact-fields.ts';
import { identityKeysOf } from '../domain/identity-address.ts';
import { and, eq, gt, gte, inArray, sql } from 'drizzle-orm';
import type { Config } from '../config.ts';
import { auditLog, contacts, inboxes } from '../../drizzle/schema/index.ts';
import type { AffectedPeople, BreachView, DraftNotice, FinderQuery } from '../http/views/breaches.ts';
import { serverLocale, serverTranslator } from '../../web/i18n/server-catalog.ts';
import { badRequest, notFound } from '../domain/errors.ts';
import { appendAudit, type AuditEntry } from './audit.ts';
import { getBreach, type BreachDeps } from './breaches.ts';
import { catalogOf, columnOf, type CatalogDeps, type PrivacyCatalog } from './subject.ts';
import { contactsInInbox, contactsOf, type Footprint } from './breach-reach.ts';

export type FinderDeps = BreachDeps & CatalogDeps & { config: Pick<Config, 'controllerName' | 'controllerContact'> };
type Actor = Pick<AuditEntry, 'actorKind' | 'actorId'>;

/** The drafts returned at most: the counts are always exact, the page shows (and a mail merge takes) this many. */
export const MAX_DRAFTS = 1000;

/**
 * Who a breach may have reached, for Art. 34: the people whose data is still here (from the catalog's tables,
 * each with a draft notice in their language) and the people erased since, whose erasure entry in the audit log
 * records where their data was (server/privacy/breach-reach.ts). The search is audited with its counts.
 */
export async function findAffected(
  deps: FinderDeps,
  breachId: string,
  query: FinderQuery,
  actor: Actor,
): Promise<AffectedPeople> {
  const breach = await getBreach(deps, breachId);
  const catalog = catalogOf(deps);
  const { live, erasedAfter, wasThere } = await scopeOf(deps, catalog, query);
  const stored = await deps.db
    .select({
      id: contacts.id,
      sealedName: contacts.sealedName,
      sealedEmail: contacts.sealedEmail,
      sealedPhone: contacts.sealedPhone,
      locale: contacts.locale,
    })
    .from(contacts)
    .where(inArray(contacts.id, sql`(${live})`))
    .orderBy(contacts.id);
  const people = (await openContactFields(identityKeysOf(deps.db).dataKeys, stored)).map(
    ({ fieldsUnreadable: _u, ...p }) => p,
  );
  const here = new Set(people.map((p) => p.id));
  const erased = await deps.db
    .select({ contactId: auditLog.targetId, details: auditLog.details })
    .from(auditLog)
    .where(and(eq(auditLog.action, 'contact.erased'), erasedAfter));
  const erasedSince = new Set(
    erased
      .filter((e) => e.contactId && !here.has(e.contactId))
      .filter((e) => wasThere(e.details.footprint as Footprint | undefined))
      .map((e) => e.contactId!),
  );
  const notices = people.map((p) => draftNotice(deps, breach, p));
  const byLanguage: Record<string, number> = {};
  for (const n of notices) byLanguage[n.language] = (byLanguage[n.language] ?? 0) + 1;
  const result: AffectedPeople = {
    total: people.length + erasedSince.size,
    reachable: people.length,
    erasedSince: erasedSince.size,
    withoutAddress: notices.filter((n) => !n.email && !n.phone).length,
    byLanguage,
    notices: notices.slice(0, MAX_DRAFTS),
  };
  await deps.db.transaction((tx) =>
    appendAudit(tx, {
      ...actor,
      action: 'breach.affected_counted',
      targetType: 'breach',
      targetId: breachId,
      details: { query, total: result.total, reachable: result.reachable, erasedSince: result.erasedSince },
    }),
  );
  return result;
}

/** The live rows' contacts as SQL, the audit entries to read, and whether an erased person's footprint matches. */
async function scopeOf(deps: FinderDeps, catalog: PrivacyCatalog, query: FinderQuery) {
  if (query.kind === 'inbox') {
    const from = new Date(query.from);
    const to = new Date(query.to);
    if (to < from) throw badRequest('bad_period', 'The end of the period is before its start');
    const [inbox] = await deps.db.select({ id: inboxes.id }).from(inboxes).where(eq(inboxes.id, query.inboxId));
    if (!inbox) throw notFound('Inbox');
    return {
      live: contactsInInbox(catalog, query.inboxId, to),
      // Erased before the period began: their data was no longer there.
      erasedAfter: gte(auditLog.at, from),
      wasThere: (f: Footprint | undefined) =>
        !!f?.inboxes.some((i) => i.inboxId === query.inboxId && new Date(i.since) <= to),
    };
  }
  const at = new Date(query.at);
  const existed = sql`${columnOf(catalog, 'recordings', 'recordedAt')} <= ${at.toISOString()}::timestamptz and
    (${columnOf(catalog, 'recordings', 'deletedAt')} is null or
     ${columnOf(catalog, 'recordings', 'deletedAt')} > ${at.toISOString()}::timestamptz)`;
  return {
    live: contactsOf(catalog, 'recordings', existed),
    erasedAfter: gt(auditLog.at, at),
    wasThere: (f: Footprint | undefined) =>
      !!f?.recordings.some((r) => new Date(r.from) <= at && (r.to === null || new Date(r.to) > at)),
  };
}

type Person = { id: string; name: string | null; email: string | null; phone: string | null; locale: string | null };

/**
 * The Art. 34(2) notice in the person's language: the framing from the server catalog, the facts as the admin
 * recorded them (a draft: the admin reviews and sends it).
 */
export function draftNotice(deps: Pick<FinderDeps, 'config'>, breach: BreachView, person: Person): DraftNotice {
  const language = serverLocale(person.locale);
  const t = serverTranslator(language);
  const when = new Intl.DateTimeFormat(language, { dateStyle: 'long', timeZone: 'UTC' });
  const controller = deps.config.controllerName;
  const period = breach.occurredFrom
    ? breach.occurredTo
      ? t('breach.period', {
          from: when.format(new Date(breach.occurredFrom)),
          to: when.format(new Date(breach.occurredTo)),
        })
      : t('breach.periodOpen', { from: when.format(new Date(breach.occurredFrom)) })
    : null;
  const section = (heading: string, body: string | null) => (body ? `${t(heading)}\n${body}` : null);
  const text = [
    person.name ? t('breach.greeting', { name: person.name }) : t('breach.greetingNoName'),
    t('breach.intro', { controller }),
    section('breach.whatHappened', [breach.description, period].filter(Boolean).join('\n')),
    section('breach.dataConcerned', breach.dataCategories.join(', ')),
    section('breach.consequences', breach.consequences),
    section('breach.measures', breach.measures),
    deps.config.controllerContact
      ? t('breach.contact', { contact: deps.config.controllerContact })
      : t('breach.contactReply'),
    t('breach.rights'),
    t('breach.signature', { controller }),
  ]
    .filter(Boolean)
    .join('\n\n');
  return {
    contactId: person.id,
    name: person.name,
    language,
    email: person.email,
    phone: person.phone,
    subject: t('breach.subject'),
    text,
  };
}
