import { channelKinds, type ChannelKind } from '../drizzle/schema/enums.ts';
import { zonedInstant } from '../server/time/zoned-time.ts';
import type { Filter } from './scope.ts';

const DAY_MS = 86_400_000;
/** The longest range one dashboard request may cover. */
export const MAX_RANGE_DAYS = 366;
export const DEFAULT_RANGE_DAYS = 30;

const zones = new Set(['UTC', ...Intl.supportedValuesOf('timeZone')]);

export class FilterError extends Error {}

/**
 * The dashboard's filter from query parameters: `from`/`to` as ISO dates or times (a date alone means the
 * whole day in `tz`, from its local midnight: `to` is inclusive), the last 30 days by default; `channel`; `tz` an
 * IANA zone (days and hours are counted in it, so a date alone must be too, or a Berlin manager's "1 December"
 * would start at 01:00 local time and take an hour of 2 December's neighbour).
 */
export function parseFilter(
  query: { from?: string; to?: string; channel?: string; tz?: string },
  now = new Date(),
): Filter {
  const timeZone = query.tz ?? 'UTC';
  if (!zones.has(timeZone)) throw new FilterError(`Unknown time zone "${timeZone}"`);
  const channel = query.channel ? (query.channel as ChannelKind) : null;
  if (channel !== null && !channelKinds.includes(channel)) throw new FilterError(`Unknown channel "${query.channel}"`);
  const to = query.to ? boundary(query.to, 1, timeZone) : now;
  const from = query.from ? boundary(query.from, 0, timeZone) : new Date(to.getTime() - DEFAULT_RANGE_DAYS * DAY_MS);
  if (Number.isNaN(from.getTime())) throw new FilterError('from is not a date');
  if (Number.isNaN(to.getTime())) throw new FilterError('to is not a date');
  if (from >= to) throw new FilterError('from must be before to');
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS + DAY_MS)
    throw new FilterError(`The range may span at most ${MAX_RANGE_DAYS} days`);
  return { from, to, channel, timeZone };
}

const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/;

/** An instant as given, or a date's local midnight in the zone (`daysAfter` 1: the next day's: an inclusive end). */
function boundary(value: string, daysAfter: 0 | 1, timeZone: string): Date {
  const date = dateOnly.exec(value);
  if (!date) return new Date(value);
  const [year, month, day] = [Number(date[1]), Number(date[2]), Number(date[3])];
  // Date.UTC rolls an impossible day over (2026-02-30 → March 2); such a date is refused instead.
  const utc = new Date(Date.UTC(year, month - 1, day));
  if (utc.getUTCMonth() !== month - 1 || utc.getUTCDate() !== day) return new Date(Number.NaN);
  return zonedInstant(year, month, day + daysAfter, 0, timeZone);
}
