import type { Translate } from '../../../i18n/index.ts';
import type { MessageView } from '../types.ts';

const NS = 'inbox-timeline';
/** Hand-off reasons the catalog words; another reason (a newer server) shows the stored English line. */
const HANDOFF_REASONS = [
  'human_requested',
  'unresolved_turns',
  'low_confidence',
  'empty_knowledge_base',
  'empty_message',
  'language_not_covered',
  'restricted',
];

/** The catalog key of a hand-off: a low confidence says its score against the threshold when it has them. */
function handoffKey(args: Record<string, string | number>): string | null {
  const reason = String(args.reason);
  if (!HANDOFF_REASONS.includes(reason)) return null;
  if (reason !== 'low_confidence' || typeof args.confidence !== 'number') return `handed_off.${reason}`;
  if (typeof args.threshold === 'number' && args.confidence < args.threshold) return 'handed_off.low_confidence_below';
  return 'handed_off.low_confidence_unlike';
}

/**
 * A timeline marker in the agent's language: from its code and arguments (server/domain/timeline-events.ts)
 * through the `inbox-timeline` catalog. A marker stored before markers had codes shows its English body.
 * `translate` is the inbox's `t` (tests pass a translator of a fixed language).
 */
export function timelineText(message: Pick<MessageView, 'body' | 'event' | 'authorName'>, translate: Translate) {
  const event = message.event;
  if (!event) return message.body;
  const key = event.code === 'handed_off' ? handoffKey(event.args) : event.code;
  if (!key) return message.body;
  return translate(`${NS}:${key}`, { ...event.args, actor: message.authorName ?? '' });
}

/** Whether a marker's own words name the agent who made it (then the inbox adds no "by …"). */
export const namesItsActor = (message: Pick<MessageView, 'body' | 'event' | 'authorName'>): boolean =>
  message.event
    ? message.event.code === 'redacted'
    : Boolean(message.authorName && message.body.startsWith(message.authorName));
