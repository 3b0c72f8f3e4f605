import { escapeHtml as esc } from '../http/escape.ts';
import { requestFormsTranslator } from '../../web/i18n/server-catalog.ts';
import type { RequestLanguage } from './request-texts.ts';
import type { ConsentLine } from './self-service-consent.ts';

/**
 * The request page's correction and consent forms, shown once the person is verified by a code (plain HTML
 * forms, no script, like the rest of the page: server/privacy/request-page-html.ts). The session travels as a
 * hidden field; a pending email or phone change travels as its id and field only, never the new value.
 */
export type PageNote = { kind: 'done' | 'error'; text: string };
export type PendingChange = { id: string; field: 'email' | 'phone' };

const hidden = (name: string, value: string) => `<input type="hidden" name="${name}" value="${esc(value)}">`;
const session = (token: string, language: RequestLanguage) => hidden('token', token) + hidden('language', language);

export function noteHtml(note: PageNote | undefined): string {
  if (!note) return '';
  return note.kind === 'error'
    ? `<p class="error" role="alert">${esc(note.text)}</p>`
    : `<p class="note" role="status">${esc(note.text)}</p>`;
}

export function correctionForm(language: RequestLanguage, token: string): string {
  const t = requestFormsTranslator(language);
  const field = (id: string, label: string, attrs: string) =>
    `<label for="${id}">${esc(label)}</label><input id="${id}" name="${id.replace('fix-', '')}" ${attrs}>`;
  return (
    `<section aria-labelledby="fix-title"><h2 id="fix-title">${esc(t('correction.title'))}</h2>` +
    `<p id="fix-hint">${esc(t('correction.hint'))}</p>` +
    `<form method="post" action="/privacy/request/correction" aria-describedby="fix-hint">${session(token, language)}` +
    field('fix-name', t('correction.name'), 'type="text" autocomplete="name" maxlength="200"') +
    field('fix-email', t('correction.email'), 'type="email" autocomplete="email" maxlength="320"') +
    field('fix-phone', t('correction.phone'), 'type="text" inputmode="tel" autocomplete="tel" maxlength="40"') +
    `<button type="submit">${esc(t('correction.send'))}</button></form></section>`
  );
}

export function consentForms(language: RequestLanguage, token: string, lines: ConsentLine[]): string {
  const t = requestFormsTranslator(language);
  const date = (iso: string) =>
    new Intl.DateTimeFormat(language, { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(iso));
  const items = lines.map((line) => {
    const purpose = purposeLabel(language, line);
    const state =
      line.granted && line.occurredAt ? t('consent.granted', { date: date(line.occurredAt) }) : t('consent.notGranted');
    const change = line.granted ? 'false' : 'true';
    // The accessible name starts with the visible word and says which consent (several buttons read alike).
    const name = t(line.granted ? 'consent.withdrawLabel' : 'consent.grantLabel', { purpose });
    const word = t(line.granted ? 'consent.withdraw' : 'consent.grant');
    const button =
      line.granted || line.canGrant
        ? `<form method="post" action="/privacy/request/consent">${session(token, language)}` +
          hidden('purpose', line.purpose) +
          hidden('granted', change) +
          `<button type="submit" aria-label="${esc(name)}" data-testid="consent-${line.purpose}">` +
          `${esc(word)}</button>` +
          '</form>'
        : '';
    return `<li><b>${esc(purpose)}</b><br><span>${esc(state)}</span>${button}</li>`;
  });
  return (
    `<section aria-labelledby="consent-title"><h2 id="consent-title">${esc(t('consent.title'))}</h2>` +
    `<p>${esc(t('consent.hint'))}</p><ul>${items.join('')}</ul></section>`
  );
}

export function purposeLabel(language: RequestLanguage, line: Pick<ConsentLine, 'purpose' | 'label'>): string {
  return line.label ?? requestFormsTranslator(language)(`purposes.${line.purpose}`);
}

/** The code form of the first change still waiting; the others follow it, one at a time. */
export function confirmForm(language: RequestLanguage, token: string, pending: PendingChange[]): string {
  const t = requestFormsTranslator(language);
  const [first] = pending;
  if (!first) return '';
  return (
    `<form method="post" action="/privacy/request/correction/confirm">${session(token, language)}` +
    hidden('pending', pending.map((p) => `${p.id}:${p.field}`).join(',')) +
    `<label for="change-code">${esc(t(`correction.${first.field === 'email' ? 'codeSentEmail' : 'codeSentPhone'}`))}` +
    '</label>' +
    '<input id="change-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required ' +
    'maxlength="12">' +
    `<button type="submit">${esc(t('correction.confirm'))}</button></form>`
  );
}

const PENDING = /^([0-9a-f-]{36}):(email|phone)$/i;

/** The pending changes a confirm form carried back; anything malformed is dropped. */
export function parsePending(value: string | undefined): PendingChange[] {
  return (value ?? '')
    .split(',')
    .map((part) => PENDING.exec(part.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .slice(0, 2)
    .map((m) => ({ id: m[1]!, field: m[2] as PendingChange['field'] }));
}

/** The words for a refusal the person can act on; null for anything else. */
export function correctionError(language: RequestLanguage, code: string): string | null {
  const key = {
    invalid_email: 'correction.invalidEmail',
    invalid_phone: 'correction.invalidPhone',
    sms_unavailable: 'correction.noSms',
    empty_name: 'correction.nothing',
    nothing_to_correct: 'correction.nothing',
    code_invalid: 'correction.wrongCode',
    too_many_codes: 'correction.tooMany',
    no_notice: 'consent.noNotice',
  }[code];
  return key ? requestFormsTranslator(language)(key) : null;
}
