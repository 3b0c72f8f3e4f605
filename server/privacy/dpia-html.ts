import type { DpiaView } from '../http/views/breaches.ts';
import { escapeHtml as esc } from '../http/escape.ts';
import { serverRecordTranslator } from '../../web/i18n/server-catalog.ts';
import { controllerText } from './record.ts';

const STYLE = [
  'body{font:15px/1.55 system-ui,sans-serif;color:#1f2933;max-width:860px;margin:32px auto;padding:0 20px}',
  'h1{font-size:24px;margin-bottom:4px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #d9dee3;',
  'padding-bottom:4px}p{margin:8px 0}ul{margin:8px 0;padding-left:22px}.muted{color:#616e7c}',
  '.draft{display:inline-block;padding:2px 8px;border-radius:4px;background:#fff1c7;color:#7a5200}',
  '@media print{body{margin:0}h2{break-after:avoid}}',
].join('\n');

/** A section's text as paragraphs and "- " bullet lists (the editor's plain-text convention), escaped. */
function blocks(body: string): string {
  return body
    .split(/\n{2,}/)
    .map((block) => {
      const lines = block.split('\n').filter((l) => l.trim() !== '');
      if (lines.length && lines.every((l) => l.startsWith('- ')))
        return `<ul>${lines.map((l) => `<li>${esc(l.slice(2))}</li>`).join('')}</ul>`;
      return `<p>${lines.map(esc).join('<br>')}</p>`;
    })
    .join('\n');
}

/** The DPIA as a print-friendly page (GET /api/privacy/dpia/print), in the language it is written in. */
export function renderDpiaHtml(dpia: DpiaView, controller: string): string {
  const t = serverRecordTranslator(dpia.language);
  const when = () =>
    new Intl.DateTimeFormat(dpia.language, { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(
      new Date(dpia.savedAt!),
    );
  const status =
    dpia.version === null
      ? `<span class="draft">${esc(t('dpia.html.draft'))}</span>`
      : esc(
          dpia.savedBy
            ? t('dpia.html.savedBy', { version: dpia.version, when: when(), name: dpia.savedBy })
            : t('dpia.html.saved', { version: dpia.version, when: when() }),
        ) + (dpia.note ? ` — ${esc(dpia.note)}` : '');
  return [
    `<!doctype html><html lang="${dpia.language}"><head><meta charset="utf-8">`,
    `<title>${esc(t('dpia.html.title'))}</title><link rel="icon" href="data:,">`,
    `<style>${STYLE}</style></head><body>`,
    `<h1>${esc(t('dpia.html.heading'))}</h1>`,
    `<p><b>${esc(t('dpia.html.controller'))}</b> ${esc(controllerText(t, controller))}</p>`,
    `<p class="muted" data-testid="dpia-status">${status}</p>`,
    ...dpia.sections.map((s) => `<h2>${esc(s.title)}</h2>\n${blocks(s.body)}`),
    '</body></html>',
  ].join('\n');
}
