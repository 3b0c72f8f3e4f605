import type { Db } from '../../server/db/client.ts';
import { seedConversation } from './search-seed.ts';

/**
 * Four conversations around Helsinki's 1 December 2026 (UTC+2): two inside it, whose UTC days are 30 November and
 * 1 December, and one on either side of it that a UTC day would take in. Every message mentions "parcel".
 */
export const HELSINKI = 'Europe/Helsinki';
export const helsinkiDay = [
  ['Dec 1 00:30 Helsinki', '2026-11-30T22:30:00Z', true],
  ['Dec 1 23:30 Helsinki', '2026-12-01T21:30:00Z', true],
  ['Dec 2 00:30 Helsinki', '2026-12-01T22:30:00Z', false],
  ['Nov 30 23:30 Helsinki', '2026-11-30T21:30:00Z', false],
] as const;

/** Seeds them; returns the ids of the two inside Helsinki's day and of all four. */
export async function seedHelsinkiDay(db: Db, inboxId: string) {
  const inside: string[] = [];
  const all: string[] = [];
  for (const [i, [label, at, isInside]] of helsinkiDay.entries()) {
    const person = {
      name: `Parcel Person ${i}`,
      email: `parcel${i}@example.org`,
      phone: `+35840100000${i}`,
      locale: 'fi',
    };
    const { conversationId } = await seedConversation(db, inboxId, person, {
      at: new Date(at),
      texts: [`Where is my parcel? (${label})`],
    });
    all.push(conversationId);
    if (isInside) inside.push(conversationId);
  }
  return { inside, all };
}
