import type { Translate } from '../../../i18n/index.ts';
import type { MessageView } from '../types.ts';

type Marker = NonNullable<MessageView['markers']>[number];
const NS = 'inbox-timeline';

/** The codes the catalog words (inbox-timeline: marker.<code>); another code (a newer server) shows `detail`. */
const CODES = new Set([
  'unparsable',
  'mime_no_separator',
  'mime_no_boundary',
  'mime_boundary_missing',
  'no_from',
  'attachment_over_limit',
  'mail_over_limit',
  'text_shortened',
  'bounce',
  'auto_reply',
  'bulk',
  'nul_removed',
  'characters_replaced',
  'foreign_thread',
  'foreign_file_host',
  'slack_download_failed',
  'pii_removed',
  'pii_may_contain',
]);
const PII_KINDS = new Set(['card', 'iban', 'national_id', 'password', 'special_category']);
const SPECIAL_CATEGORIES = new Set([
  'health',
  'religion',
  'politics',
  'trade_union',
  'ethnicity',
  'sexuality',
  'genetic',
]);

export type MarkerFormat = { size: (bytes: number) => string; list: (items: string[]) => string };

/** "payment card number (2), IBAN (1)" in the agent's language, or null when a kind is not known here. */
function piiFound(args: Record<string, string | number>, translate: Translate, format: MarkerFormat): string | null {
  const parts: string[] = [];
  for (const [key, count] of Object.entries(args)) {
    const [kind, category] = key.split(':');
    if (!PII_KINDS.has(kind!) || typeof count !== 'number') return null;
    if (kind === 'special_category' && category) {
      if (!SPECIAL_CATEGORIES.has(category)) return null;
      const name = translate(`${NS}:marker.special.${category}`);
      parts.push(translate(`${NS}:marker.pii.special_category_of`, { category: name, count }));
    } else parts.push(translate(`${NS}:marker.pii.${kind}`, { count }));
  }
  return parts.length ? format.list(parts) : null;
}

/**
 * A message marker's detail in the agent's language, from the code and arguments the server stored with it
 * (channels/types.ts MarkerEvent); a marker stored before codes existed, or one with a code or an argument this
 * inbox does not know, shows the English detail as stored.
 */
export function markerText(marker: Marker, translate: Translate, format: MarkerFormat): string {
  const event = marker.event;
  if (!event || !CODES.has(event.code)) return marker.detail;
  const args = { ...event.args };
  if (event.code === 'pii_removed' || event.code === 'pii_may_contain') {
    const found = piiFound(event.args, translate, format);
    if (!found) return marker.detail;
    return translate(`${NS}:marker.${event.code}`, { found });
  }
  for (const key of ['size', 'limit']) if (typeof args[key] === 'number') args[key] = format.size(args[key] as number);
  return translate(`${NS}:marker.${event.code}`, args);
}
