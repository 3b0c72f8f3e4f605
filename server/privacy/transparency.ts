import { escapeHtml as esc } from '../http/escape.ts';
import type { Config } from '../config.ts';
import { buildRecord, type RecordDeps } from './record.ts';
import { catalogOf } from './subject.ts';
import { requestLanguages, type RequestLanguage } from './request-texts.ts';
import { TRANSPARENCY_TEXTS, type TransparencyTexts } from './transparency-texts.ts';
import { serverTranslator } from '../../web/i18n/server-catalog.ts';

/**
 * The public transparency page (GET /privacy?lang=..): what is stored when someone contacts us, why, for how long,
 * who else sees it, and their rights, in plain words. Generated like the Art. 30 record: what is stored from the
 * catalog's categories, the periods from the retention policies in force, the processors from the connected
 * channels and the hosting, so it cannot say something the installation does not do.
 */
export type TransparencyFacts = {
  controller: string;
  contact: string | null;
  stored: Array<keyof TransparencyTexts['what']>;
  purposes: Array<keyof TransparencyTexts['why']>;
  retention: Array<{ dataClass: keyof TransparencyTexts['classes']; days: number | null }>;
  /** Days a conversation staff deleted stays in the trash before it is deleted for good. */
  trashDays: number;
  processors: Array<{ name: string; country: string }>;
};

export type TransparencyDeps = RecordDeps & { config: Pick<Config, 'botEnabled'> };

/** `language`: the page's; the processors' names and places (defaults, webhook receivers) are said in it. */
export async function transparencyFacts(
  deps: TransparencyDeps,
  language: RequestLanguage = 'en',
): Promise<TransparencyFacts> {
  const record = await buildRecord(deps, language);
  const categories = new Set(
    Object.values(catalogOf(deps))
      .filter((e) => e.reach.subject === 'contact')
      .flatMap((e) =>
        Object.values(e.columns)
          .filter((c) => c.personal)
          .map((c) => c.category),
      ),
  );
  const hasFiles = Object.values(catalogOf(deps)).some(
    (e) => e.reach.subject === 'contact' && Object.values(e.columns).some((c) => c.file?.retention === 'attachments'),
  );
  const channels = new Set(record.inboxes.map((i) => i.channel));
  const recording = channels.has('voice') && categories.has('recording');
  const stored: TransparencyFacts['stored'] = [
    ...(categories.has('contact_detail') ? (['contact'] as const) : []),
    ...(categories.has('message_content') ? (['messages'] as const) : []),
    ...(hasFiles ? (['files'] as const) : []),
    ...(recording ? (['recordings'] as const) : []),
    ...(categories.has('metadata') ? (['metadata'] as const) : []),
    ...(categories.has('consent') ? (['consent'] as const) : []),
  ];
  return {
    controller: record.controller.name,
    contact: record.controller.contact,
    stored,
    purposes: [
      'support',
      'statistics',
      ...(recording ? (['recording'] as const) : []),
      ...(deps.config.botEnabled ? (['bot'] as const) : []),
    ],
    retention: record.retention
      .filter((r) => r.dataClass !== 'recordings' || recording)
      .map((r) => ({ dataClass: r.dataClass, days: r.enabled ? r.retainDays : null })),
    trashDays: record.trash.retainDays,
    processors: record.processors.map((p) => ({ name: p.name, country: p.country })),
  };
}

const STYLE = [
  'body{font:17px/1.6 system-ui,sans-serif;color:#1f2933;background:#f7f5f2;margin:0}',
  'main{max-width:720px;margin:32px auto;padding:32px;background:#fff;border-radius:12px}',
  'h1{font-size:28px;line-height:1.25;margin-top:0}h2{font-size:20px;margin-top:28px;color:#24423a}',
  'li{margin:4px 0}table{border-collapse:collapse}td{padding:4px 16px 4px 0;vertical-align:top}',
  'nav a{margin-right:10px;color:#24423a}a.cta{display:inline-block;margin-top:8px;padding:10px 16px;',
  'background:#24423a;color:#fff;border-radius:6px;text-decoration:none}',
  '@media print{body{background:#fff}main{margin:0;padding:0}nav,a.cta{display:none}}',
].join('\n');

export function renderTransparencyHtml(language: RequestLanguage, facts: TransparencyFacts): string {
  const t = TRANSPARENCY_TEXTS[language];
  const list = (items: string[]) => `<ul>${items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul>`;
  const langs = requestLanguages.map((l) => `<a href="/privacy?lang=${l}" lang="${l}">${l.toUpperCase()}</a>`);
  const retention =
    facts.retention
      .map(
        (r) =>
          `<tr><td>${esc(t.classes[r.dataClass])}</td><td>${esc(r.days ? t.days(r.days) : t.untilErased)}</td></tr>`,
      )
      .join('') + `<tr><td>${esc(t.trash)}</td><td>${esc(t.days(facts.trashDays))}</td></tr>`;
  return [
    `<!doctype html><html lang="${language}"><head><meta charset="utf-8">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(t.title)}</title><link rel="icon" href="data:,"><style>${STYLE}</style></head><body><main>`,
    `<nav aria-label="Language">${langs.join('')}</nav>`,
    `<h1>${esc(t.title)}</h1><p>${esc(t.intro(facts.controller))}</p>`,
    facts.contact ? `<p>${esc(t.contact(facts.contact))}</p>` : '',
    `<h2>${esc(t.whatTitle)}</h2>`,
    list(facts.stored.map((k) => t.what[k])),
    `<h2>${esc(t.whyTitle)}</h2>`,
    list(facts.purposes.map((k) => t.why[k])),
    `<h2>${esc(t.howLongTitle)}</h2><table data-testid="retention">${retention}</table>`,
    `<h2>${esc(t.whoTitle)}</h2>`,
    list([t.staff, ...facts.processors.map((p) => t.processor(p.name, p.country))]),
    `<h2>${esc(t.rightsTitle)}</h2>`,
    list(t.rights),
    `<p>${esc(t.howTo)}</p><p><a class="cta" href="/privacy/request?lang=${language}">${esc(t.requestLink)}</a></p>`,
    `<p>${esc(t.complaint)}</p>`,
    `<p><a href="/accessibility?lang=${language}">${esc(serverTranslator(language)('accessibility.title'))}</a></p>`,
    '</main></body></html>',
  ].join('\n');
}
