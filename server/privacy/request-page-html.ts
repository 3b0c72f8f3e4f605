import { escapeHtml as esc } from '../http/escape.ts';
import { serverTranslator } from '../../web/i18n/server-catalog.ts';
import { privacyRequestKinds } from '../../drizzle/schema/privacy-requests.ts';
import { requestLanguages, requestTexts, type RequestLanguage, type RequestTexts } from './request-texts.ts';
import type { CodeRoute } from './request-codes.ts';

/**
 * The public request page (GET /privacy/request): plain forms, no script, so it works anywhere and under the
 * inbox's strict CSP. Each step posts to the next; the verified session travels as a hidden field, not a cookie.
 */
const STYLE = [
  'body{font:16px/1.55 system-ui,sans-serif;color:#1f2933;background:#f7f5f2;margin:0}',
  'main{max-width:560px;margin:40px auto;padding:28px;background:#fff;border-radius:12px;box-shadow:0 1px 3px #0002}',
  'h1{font-size:24px;margin-top:0}label{display:block;font-weight:600;margin:14px 0 4px}',
  '.hint{color:#52606d;font-size:14px;margin:4px 0}',
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

/** Where this server can send codes besides mail (an SMS inbox that can send, the Slack app), for the start form. */
export type CodeChannels = { sms: boolean; slack: boolean; phoneRegion?: string };
/** Why the identity typed was refused: the code of the DomainError (request-identity.ts, request-codes.ts). */
export type StartError = 'invalid_identity' | 'invalid_phone' | 'not_mobile' | 'sms_unavailable' | 'slack_unavailable';

export type RequestPageStep =
  /** `error: true`: a wrong or expired code or session; a StartError: the typed identity, which comes back filled. */
  | { step: 'start'; channels: CodeChannels; error?: true | StartError; typed?: string }
  | { step: 'code'; challengeId: string; via: CodeRoute }
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
      return shell(language, startForm(language, lang, state));
    case 'code':
      return shell(
        language,
        `<p class="note" role="status">${esc(sentNote(t, state.via))}</p>` +
          `<form method="post" action="/privacy/request/verify">` +
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

const START_ERRORS = {
  invalid_identity: 'invalidIdentity',
  invalid_phone: 'invalidPhone',
  not_mobile: 'notMobile',
  sms_unavailable: 'smsUnavailable',
  slack_unavailable: 'slackUnavailable',
} as const satisfies Record<StartError, keyof RequestTexts['page']>;

/**
 * The first form: the email address, phone number or Slack member id the person contacted us from. The label and
 * the hints name only the ways this server can send a code (mail always; SMS with an SMS inbox that can send; Slack
 * with the Slack app).
 */
function startForm(
  language: RequestLanguage,
  lang: string,
  state: Extract<RequestPageStep, { step: 'start' }>,
): string {
  const t = requestTexts(language).page;
  const { sms, slack, phoneRegion } = state.channels;
  const label = sms && slack ? t.addressAll : sms ? t.addressPhone : slack ? t.addressSlack : t.address;
  const region = phoneRegion
    ? (new Intl.DisplayNames([language], { type: 'region' }).of(phoneRegion) ?? phoneRegion)
    : null;
  const hints = [
    t.hint,
    ...(sms ? [region ? t.hintPhone(region) : t.hintPhoneIntl] : []),
    ...(slack ? [t.hintSlack] : []),
  ];
  const error = state.error === true ? t.invalid : state.error ? t[START_ERRORS[state.error]] : null;
  // Mail only: the browser checks the address; with phone numbers or member ids it is free text.
  const type =
    sms || slack ? 'type="text" autocomplete="email" spellcheck="false"' : 'type="email" autocomplete="email"';
  return (
    (error ? `<p class="error" role="alert" id="address-error">${esc(error)}</p>` : '') +
    `<p>${esc(t.intro)}</p><form method="post" action="/privacy/request/code">${lang}` +
    `<label for="address">${esc(label)}</label>` +
    hints.map((h, i) => `<p class="hint" id="address-hint-${i}">${esc(h)}</p>`).join('') +
    `<input id="address" name="address" ${type} required maxlength="320"` +
    ` aria-describedby="${hints.map((_, i) => `address-hint-${i}`).join(' ')}${error ? ' address-error' : ''}"` +
    (state.error && state.error !== true ? ' aria-invalid="true"' : '') +
    (state.typed ? ` value="${esc(state.typed)}"` : '') +
    '>' +
    `<button type="submit">${esc(t.sendCode)}</button></form>`
  );
}

function sentNote(t: RequestTexts['page'], via: CodeRoute): string {
  return { email: t.codeSent, email_or_slack: t.codeSentEmailOrSlack, sms: t.codeSentPhone, slack: t.codeSentSlack }[
    via
  ];
}
