import type { Translate } from '../../../i18n/index.ts';

/**
 * Why a reply or a webhook delivery failed, in the agent's language. The server stores a short reason in English
 * (a code before a colon, a provider's error number, a network error's code: never the text a provider echoed,
 * which can hold an address); the inbox words the ones it knows and shows any other as stored.
 */

/** A failed reply's stored reason: "opted_out: …", "Twilio error 21211 (HTTP 400)", "Twilio unreachable (…)". */
const REPLY_REASON_CODES = new Set([
  'opted_out',
  'no_number',
  'text_too_long',
  'channel_unavailable',
  'email_not_configured',
  'email_password_unreadable',
  'files_unavailable',
]);

/** Node's and the HTTP client's network error codes, by what they mean to a person. */
const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'refused',
  ENOTFOUND: 'notFound',
  EAI_AGAIN: 'notFound',
  ECONNRESET: 'dropped',
  EPIPE: 'dropped',
  UND_ERR_SOCKET: 'dropped',
  ETIMEDOUT: 'timeout',
  TimeoutError: 'timeout',
  AbortError: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  EOUTBOUNDREFUSED: 'privateAddress',
  EOUTBOUNDTOOLARGE: 'tooLarge',
  CERT_HAS_EXPIRED: 'certificate',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'certificate',
  ERR_TLS_CERT_ALTNAME_INVALID: 'certificate',
};

/** A network error's code (a webhook attempt's `error`) in words, or the code itself when it is not known. */
export function networkReason(code: string, t: Translate): string {
  const reason = NETWORK_REASONS[code];
  return reason ? t(`delivery.network.${reason}`) : code;
}

/** A failed reply's stored reason in words (`t`: the inbox's translator). */
export function deliveryReason(stored: string, t: Translate): string {
  const code = /^([a-z_]+)(?::|$)/.exec(stored)?.[1];
  if (code && REPLY_REASON_CODES.has(code)) return t(`delivery.reason.${code}`);
  const provider = /^(\w+) error (\d+ )?\(HTTP (\d+)\)/.exec(stored);
  if (provider) {
    const [, name, code, status] = provider;
    return code
      ? t('delivery.providerError', { provider: name, code: code.trim(), status })
      : t('delivery.providerStatus', { provider: name, status });
  }
  const unreachable = /^(\w+) unreachable \((\S+)\)$/.exec(stored);
  if (unreachable)
    return t('delivery.unreachable', { provider: unreachable[1], reason: networkReason(unreachable[2]!, t) });
  return stored;
}
