import { channelKinds, type ChannelKind } from '../drizzle/schema/enums.ts';
import type { Filter } from './scope.ts';

const DAY_MS = 86_400_000;
/** The longest range one dashboard request may cover. */
export const MAX_RANGE_DAYS = 366;
export const DEFAULT_RANGE_DAYS = 30;

const zones = new Set(['UTC', ...Intl.supportedValuesOf('timeZone')]);

export class FilterError extends Error {}

/**
 * The dashboard's filter from query parameters: `from`/`to` as ISO dates or times (a date alone means the
 * whole day: `to` is inclusive), the last 30 days by default; `channel`; `tz` an IANA zone (days and hours
 * are counted in it).
 */
export function parseFilter(
  query: { from?: string; to?: string; channel?: string; tz?: string },
  now = new Date(),
): Filter {
  const timeZone = query.tz ?? 'UTC';
  if (!zones.has(timeZone)) throw new FilterError(`Unknown time zone "${timeZone}"`);
  const channel = query.channel ? (query.channel as ChannelKind) : null;
  if (channel !== null && !channelKinds.includes(channel)) throw new FilterError(`Unknown channel "${query.channel}"`);
  const to = query.to ? endOf(query.to) : now;
  const from = query.from ? startOf(query.from) : new Date(to.getTime() - DEFAULT_RANGE_DAYS * DAY_MS);
  if (Number.isNaN(from.getTime())) throw new FilterError('from is not a date');
  if (Number.isNaN(to.getTime())) throw new FilterError('to is not a date');
  if (from >= to) throw new FilterError('from must be before to');
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS + DAY_MS)
    throw new FilterError(`The range may span at most ${MAX_RANGE_DAYS} days`);
  return { from, to, channel, timeZone };
}

const dateOnly = /^\d{4}-\d{2}-\d{2}$/;
const startOf = (value: string) => new Date(dateOnly.test(value) ? `${value}T00:00:00Z` : value);
const endOf = (value: string) =>
  dateOnly.test(value) ? new Date(new Date(`${value}T00:00:00Z`).getTime() + DAY_MS) : new Date(value);
