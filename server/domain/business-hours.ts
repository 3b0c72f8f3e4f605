import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { inboxBusinessHours, inboxes, type OpeningWindow } from '../../drizzle/schema/index.ts';
import { localParts, zonedInstant } from '../time/zoned-time.ts';
import { DomainError, notFound } from './errors.ts';

/**
 * Business hours per inbox: weekly opening windows in an IANA time zone, closed on holidays (local dates).
 * All arithmetic is done in the inbox's zone with Intl (daylight-saving changes included), so "Monday 09:00"
 * means 09:00 on the wall clock of the team, wherever the server or the visitor is.
 */
export type BusinessHours = {
  timeZone: string;
  windows: OpeningWindow[];
  holidays: string[];
  visitorGoneMinutes: number;
};

export const DEFAULT_VISITOR_GONE_MINUTES = 5;
const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const MAX_WINDOWS = 28;
const MAX_HOLIDAYS = 366;
/** How far ahead "back at" is looked for: two weeks covers any holiday season an inbox would list. */
const LOOKAHEAD_DAYS = 21;

const invalid = (message: string) => new DomainError(400, 'invalid_business_hours', message);

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Checks an admin's input and returns it in a canonical order (throws 400 `invalid_business_hours`). */
export function validateBusinessHours(input: BusinessHours): BusinessHours {
  if (!isTimeZone(input.timeZone)) throw invalid(`Unknown time zone "${input.timeZone}"`);
  if (input.windows.length > MAX_WINDOWS) throw invalid(`At most ${MAX_WINDOWS} opening windows`);
  if (input.holidays.length > MAX_HOLIDAYS) throw invalid(`At most ${MAX_HOLIDAYS} holidays`);
  for (const w of input.windows) {
    if (!Number.isInteger(w.day) || w.day < 0 || w.day > 6) throw invalid('A window day is 0 (Sunday) to 6');
    if (!HHMM.test(w.open) || !HHMM.test(w.close)) throw invalid('Times are HH:MM (00:00 to 24:00)');
    if (minutesOf(w.open) >= minutesOf(w.close)) throw invalid('A window closes after it opens');
  }
  const windows = [...input.windows].sort((a, b) => a.day - b.day || minutesOf(a.open) - minutesOf(b.open));
  for (let i = 1; i < windows.length; i++) {
    const [a, b] = [windows[i - 1]!, windows[i]!];
    if (a.day === b.day && minutesOf(b.open) < minutesOf(a.close)) throw invalid('Windows of one day overlap');
  }
  for (const h of input.holidays) {
    const valid = DATE.test(h) && new Date(`${h}T00:00:00Z`).toISOString().startsWith(h);
    if (!valid) throw invalid(`"${h}" is not a date (YYYY-MM-DD)`);
  }
  const gone = input.visitorGoneMinutes;
  if (!Number.isInteger(gone) || gone < 0 || gone > 1440) throw invalid('Minutes away is 0 to 1440');
  return { ...input, windows, holidays: [...new Set(input.holidays)].sort() };
}

export async function getBusinessHours(db: Db, inboxId: string): Promise<BusinessHours | null> {
  const [row] = await db.select().from(inboxBusinessHours).where(eq(inboxBusinessHours.inboxId, inboxId));
  return row
    ? {
        timeZone: row.timeZone,
        windows: row.windows,
        holidays: row.holidays,
        visitorGoneMinutes: row.visitorGoneMinutes,
      }
    : null;
}

export async function assertInboxExists(db: Db, inboxId: string) {
  const [inbox] = await db.select({ id: inboxes.id }).from(inboxes).where(eq(inboxes.id, inboxId));
  if (!inbox) throw notFound('Inbox');
}

export async function setBusinessHours(db: Db, inboxId: string, input: BusinessHours): Promise<BusinessHours> {
  await assertInboxExists(db, inboxId);
  const hours = validateBusinessHours(input);
  const values = { ...hours, updatedAt: new Date() };
  await db
    .insert(inboxBusinessHours)
    .values({ inboxId, ...values })
    .onConflictDoUpdate({ target: inboxBusinessHours.inboxId, set: values });
  return hours;
}

/** Removes the hours: the team counts as always reachable again. */
export async function clearBusinessHours(db: Db, inboxId: string): Promise<void> {
  await assertInboxExists(db, inboxId);
  await db.delete(inboxBusinessHours).where(eq(inboxBusinessHours.inboxId, inboxId));
}

export type OpenState = {
  open: boolean;
  /** While open: when the current window ends. */
  closesAt: Date | null;
  /** While closed: when the next window opens (null: none in the next three weeks). */
  nextOpenAt: Date | null;
};

/** Whether the team is in at `now`, and when it next opens or closes. No hours configured: always open. */
export function openState(hours: BusinessHours | null, now: Date): OpenState {
  if (!hours) return { open: true, closesAt: null, nextOpenAt: null };
  const today = localParts(now.getTime(), hours.timeZone);
  const holidays = new Set(hours.holidays);
  for (let offset = 0; offset < LOOKAHEAD_DAYS; offset++) {
    const date = new Date(Date.UTC(today.year, today.month - 1, today.day + offset));
    const [y, m, d] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
    const iso = date.toISOString().slice(0, 10);
    if (holidays.has(iso)) continue;
    for (const w of hours.windows.filter((w) => w.day === date.getUTCDay())) {
      const start = zonedInstant(y, m, d, minutesOf(w.open), hours.timeZone);
      const end = zonedInstant(y, m, d, minutesOf(w.close), hours.timeZone);
      if (start <= now && now < end) return { open: true, closesAt: end, nextOpenAt: null };
      if (start > now) return { open: false, closesAt: null, nextOpenAt: start };
    }
  }
  return { open: false, closesAt: null, nextOpenAt: null };
}
