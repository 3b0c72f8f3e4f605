/**
 * A timeline marker as a code and its arguments (ids, names already stored, numbers), kept in the message's
 * metadata next to the English body. The inbox renders it in the agent's language through the catalog
 * (web/i18n/locales/<locale>/inbox-timeline.json); the body stays for old clients, the export and old rows.
 */
export const timelineEventCodes = [
  'assigned',
  'unassigned',
  'status_changed',
  'team_assigned',
  'team_removed',
  'handed_off',
  'bot_disclosed',
  'redacted',
  'followup_address_left',
  'followup_mailed',
] as const;
export type TimelineEventCode = (typeof timelineEventCodes)[number];

/** What a marker says, as the API sends it (server/http/views.ts TimelineEventView). */
export type TimelineEventView = { code: TimelineEventCode; args: Record<string, string | number> };

/** The metadata a marker row carries: `{ event: { code, args } }`. */
export const timelineMetadata = (
  code: TimelineEventCode,
  args: Record<string, string | number> = {},
): { event: TimelineEventView } => ({ event: { code, args } });

/** The structured event of a stored row, or undefined for rows written before markers had one. */
export function timelineEventOf(metadata: Record<string, unknown>): TimelineEventView | undefined {
  const event = metadata.event as Partial<TimelineEventView> | undefined;
  if (!event || typeof event !== 'object' || typeof event.code !== 'string') return undefined;
  if (!(timelineEventCodes as readonly string[]).includes(event.code)) return undefined;
  const args = event.args && typeof event.args === 'object' ? event.args : {};
  return { code: event.code as TimelineEventCode, args };
}
