import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbMode } from '../helpers/db.ts';
import { startTestServer, type AgentClient, type TestServer, type TestJson } from '../helpers/server.ts';
import { channelInboxes, seedContacts, type SeedContact } from '../helpers/analytics-seed.ts';

type Figure = { value: number | null; suppressed: boolean; complementary?: true };

/**
 * What someone holding one response can work out: the parts hidden from a total that is shown add up to the
 * total less the parts shown. A single hidden part is thereby given away.
 */
function recoverable(total: Figure, parts: Figure[]): number | null {
  const hidden = parts.filter((p) => p.suppressed);
  if (total.suppressed || hidden.length !== 1) return null;
  return total.value! - parts.reduce((sum, p) => sum + (p.suppressed ? 0 : p.value!), 0);
}

/**
 * Issue 15, finding 8: the total (28 messages) and the chat figure (25) were both shown, so the suppressed SMS
 * cell (3 messages of one person) was their difference. With k = 5 (the default).
 */
describe(`suppression survives differencing within one response (${dbMode})`, () => {
  let server: TestServer;
  let manager: AgentClient;
  const day = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
  const at = (minute: number) => new Date(`${day}T10:${String(minute).padStart(2, '0')}:00Z`);
  const query = `?from=${day}&to=${day}`;

  beforeAll(async () => {
    server = await startTestServer();
    manager = await server.agentClient('manager');
    const inboxes = await channelInboxes(server.root.db);
    const consent = [{ granted: true, at: at(0) }];
    // Five people on chat, five messages each (25), each rating 5; one person by SMS: 3 messages, rating 1.
    const chat: SeedContact[] = Array.from({ length: 5 }, (_, i) => ({
      consent,
      conversations: [
        {
          channel: 'chat',
          status: 'resolved',
          createdAt: at(1 + i),
          resolvedAt: at(40),
          messages: Array.from({ length: 5 }, (_m, j) => ({ author: 'contact' as const, at: at(1 + i + j) })),
          rating: { score: 5, at: at(45) },
        },
      ],
    }));
    const sms: SeedContact = {
      consent,
      conversations: [
        {
          channel: 'sms',
          status: 'resolved',
          createdAt: at(20),
          resolvedAt: at(40),
          messages: [20, 21, 22].map((m) => ({ author: 'contact' as const, at: at(m) })),
          rating: { score: 1, at: at(46) },
        },
      ],
    };
    await seedContacts(server.root.db, inboxes, [...chat, sms]);
  });
  afterAll(() => server?.stop());

  it('the API keeps the true totals and hides a second cell, so the SMS cell is not their difference', async () => {
    const res = await manager.get(`/api/analytics/dashboard${query}`);
    expect(res.status).toBe(200);
    const d: TestJson = res.body;
    expect(d.minCohort).toBe(5);
    expect(d.volume.messages).toEqual({ value: 28, suppressed: false });
    expect(d.volume.conversations).toEqual({ value: 6, suppressed: false });
    const cell = (channel: string) => d.volume.days.find((c: { channel: string }) => c.channel === channel);
    expect(cell('sms').messages).toEqual({ value: null, suppressed: true });
    // The chat cell (25 messages of five people) is withheld, and says why.
    expect(cell('chat').messages).toEqual({ value: null, suppressed: true, complementary: true });
    expect(cell('chat').conversations).toEqual({ value: null, suppressed: true, complementary: true });
    for (const measure of ['messages', 'conversations'] as const)
      expect(
        recoverable(
          d.volume[measure],
          d.volume.days.map((c: Record<string, Figure>) => c[measure]),
        ),
      ).toBeNull();

    // The ratings: 6 in all, five 5s and one 1. The count and the mean would each give the 1 away.
    const { ratings, average, distribution } = d.satisfaction;
    expect(ratings).toEqual({ value: 6, suppressed: false });
    expect(distribution.find((r: { score: number }) => r.score === 1).ratings).toEqual({
      value: null,
      suppressed: true,
    });
    expect(distribution.find((r: { score: number }) => r.score === 5).ratings).toMatchObject({ suppressed: true });
    expect(
      recoverable(
        ratings,
        distribution.map((r: { ratings: Figure }) => r.ratings),
      ),
    ).toBeNull();
    expect(average).toMatchObject({ value: null, suppressed: true });
  });

  it('the CSV gives nothing more away', async () => {
    const res = await fetch(`${server.url}/api/analytics/dashboard.csv${query}`, {
      headers: { cookie: manager.cookie },
    });
    expect(res.status).toBe(200);
    const lines = (await res.text()).split('\r\n');
    const value = (metric: string, dimension: string) =>
      lines.find((l) => l.startsWith(`${metric},${dimension},`))?.split(',')[2];
    expect(value('messages', 'total')).toBe('28');
    expect(value('messages', `${day} sms`)).toBe('fewer than 5');
    expect(value('messages', `${day} chat`)).toBe('withheld: it would reveal a figure of fewer than 5');
    expect(value('conversations', 'total')).toBe('6');
    expect(value('conversations', `${day} chat`)).not.toMatch(/^\d/);
    expect(value('satisfaction_ratings', '')).toBe('6');
    expect(value('satisfaction_ratings', 'score 5')).not.toMatch(/^\d/);
    expect(value('satisfaction_average', '')).not.toMatch(/^\d/);
    // No line of the file holds 25 (chat messages) or 3 (SMS messages), from which the other would follow.
    expect(lines.filter((l) => /^messages,/.test(l)).map((l) => l.split(',')[2])).not.toContain('25');
  });
});
