import { escapeHtml as esc } from '../http/escape.ts';
import { serverTranslator } from '../../web/i18n/server-catalog.ts';
import { privacyRequestKinds } from '../../drizzle/schema/privacy-requests.ts';
import { requestLanguages, requestTexts, type RequestLanguage } from './request-texts.ts';

/**
 * The public request page (GET /privacy/request): plain forms, no script, so it works anywhere and under the
 * inbox's strict CSP. Each step posts to the next; the verified session travels as a hidden field, not a cookie.
 */
const STYLE = [
  'body{font:16px/1.55 system-ui,sans-serif;color:#1f2933;background:#f7f5f2;margin:0}',
  'main{max-width:560px;margin:40px auto;padding:28px;background:#fff;border-radius:12px;box-shadow:0 1px 3px #0002}',
  'h1{font-size:24px;margin-top:0}label{display:block;font-weight:600;margin:14px 0 4px}',
  'input[type=email],input[type=text]{width:100%;box-sizing:border-box;padding:9px;font:inherit;',
  'border:1px solid #7b8794;border-radius:6px}',
  'button{margin-top:16px;padding:10px 18px;border:0;border-radius:6px;background:#24423a;color:#fff;',
  'font:inherit;cursor:pointer}',
  'button:focus-visible,input:focus-visible,select:focus-visible{outline:3px solid #e6a23c;outline-offset:2px}',
  'fieldset{border:0;padding:0;margin:12px 0}',
  '.choice{display:flex;gap:8px;align-items:center;margin:6px 0;font-weight:400}',
  '.note{background:#eef6f1;border-left:4px solid #24423a;padding:10px 12px}',
  '.error{background:#fdecea;border-left:4px solid #b42318;padding:10px 12px}',
  'nav a{margin-right:10px;color:#24423a}',
  'a.button{display:inline-block;padding:10px 18px;border-radius:6px;background:#24423a;color:#fff;',
  'text-decoration:none}',
].join('\n');

export type RequestPageStep =
  | { step: 'start'; error?: boolean }
  | { step: 'code'; challengeId: string }
  /** `before`/`after`: a note and the correction and consent forms (request-forms-html.ts). */
  | { step: 'choose'; token: string; before?: string; after?: string }
  /** A page of the correction and consent forms (request-forms-html.ts). */
  | { step: 'forms'; body: string }
  | { step: 'filed'; dueAt: Date }
  | { step: 'copy'; url: string; expiresAt: Date };

function shell(language: RequestLanguage, body: string): string {
  const t = requestTexts(language).page;
  const langs = requestLanguages.map((l) => `<a href="/privacy/request?lang=${l}" lang="${l}">${l.toUpperCase()}</a>`);
  return (
    `<!doctype html><html lang="${language}"><head><meta charset="utf-8">` +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${esc(t.title)}</title><link rel="icon" href="data:,"><style>${STYLE}</style></head>` +
    `<body><main><nav aria-label="${esc(t.language)}">${langs.join('')}</nav>` +
    `<h1>${esc(t.title)}</h1>${body}</main></body></html>`
  );
}

const hidden = (name: string, value: string) => `<input type="hidden" name="${name}" value="${esc(value)}">`;

export function renderRequestPage(language: RequestLanguage, state: RequestPageStep): string {
  const texts = requestTexts(language);
  const t = texts.page;
  const lang = hidden('language', language);
  switch (state.step) {
    case 'start':
      return shell(
        language,
        (state.error ? `<p class="error" role="alert">${esc(t.invalid)}</p>` : '') +
          `<p>${esc(t.intro)}</p><form method="post" action="/privacy/request/code">${lang}` +
          `<label for="address">${esc(t.address)}</label>` +
          '<input id="address" name="address" type="email" required autocomplete="email" maxlength="320">' +
          `<button type="submit">${esc(t.sendCode)}</button></form>`,
      );
    case 'code':
      return shell(
        language,
        `<p class="note" role="status">${esc(t.codeSent)}</p><form method="post" action="/privacy/request/verify">` +
          lang +
          hidden('challengeId', state.challengeId) +
          `<label for="code">${esc(t.code)}</label>` +
          '<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" ' +
          'required maxlength="12">' +
          `<button type="submit">${esc(t.verify)}</button></form>`,
      );
    case 'choose':
      return shell(
        language,
        (state.before ?? '') +
          `<form method="post" action="/privacy/request/file">${lang}${hidden('token', state.token)}` +
          `<fieldset><legend><b>${esc(t.choose)}</b></legend>` +
          privacyRequestKinds
            .map(
              (kind, i) =>
                `<label class="choice"><input type="radio" name="kind" value="${kind}"${i === 0 ? ' checked' : ''}>` +
                `${esc(texts.kinds[kind])}</label>`,
            )
            .join('') +
          `</fieldset><button type="submit">${esc(t.file)}</button></form>` +
          (state.after ?? ''),
      );
    case 'forms':
      return shell(language, state.body);
    case 'copy': {
      const t2 = serverTranslator(language);
      const until = new Intl.DateTimeFormat(language, { dateStyle: 'long', timeZone: 'UTC' }).format(state.expiresAt);
      return shell(
        language,
        `<p class="note" role="status">${esc(t2('selfService.pageCopyReady', { until }))}</p>` +
          `<p><a class="button" href="${esc(state.url)}" data-testid="copy-link">` +
          `${esc(t2('selfService.pageDownload'))}</a></p>`,
      );
    }
    case 'filed': {
      const due = new Intl.DateTimeFormat(language, { dateStyle: 'long', timeZone: 'UTC' }).format(state.dueAt);
      return shell(language, `<p class="note" role="status">${esc(t.filed(due))}</p>`);
    }
  }
}
