import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbMode } from '../helpers/db.ts';
import { startTestServer, type AgentClient, type TestJson, type TestServer } from '../helpers/server.ts';
import { emailInbox } from '../helpers/search-seed.ts';
import { HELSINKI, seedHelsinkiDay } from '../helpers/search-days.ts';

/** The search filters' days are the agent's (`tz`): "to" includes that whole day where the agent is. */
describe(`search by the days of the agent's time zone (${dbMode})`, () => {
  let server: TestServer;
  let admin: AgentClient;
  let seeded: Awaited<ReturnType<typeof seedHelsinkiDay>>;
  const found = async (query: Record<string, string>) => {
    const res = await admin.get(`/api/search?${new URLSearchParams({ q: 'parcel', ...query })}`);
    expect(res.status).toBe(200);
    return (res.body.items as TestJson[]).map((i) => i.conversation.id as string).sort();
  };

  beforeAll(async () => {
    server = await startTestServer();
    seeded = await seedHelsinkiDay(server.root.db, await emailInbox(server.root.db, 'Support'));
    admin = await server.agentClient('admin');
  });
  afterAll(() => server?.stop());

  it('takes from and to as whole days of tz, at both edges', async () => {
    expect(await found({ from: '2026-12-01', to: '2026-12-01', tz: HELSINKI })).toEqual([...seeded.inside].sort());
    expect(await found({ to: '2026-11-30', tz: HELSINKI })).toEqual([seeded.all[3]]);
    expect(await found({ from: '2026-12-02', tz: HELSINKI })).toEqual([seeded.all[2]]);
  });

  it('counts UTC days without tz, as before', async () => {
    expect(await found({ from: '2026-12-01', to: '2026-12-01' })).toEqual([seeded.all[1]!, seeded.all[2]!].sort());
  });

  it('refuses a time zone it does not know', async () => {
    const res = await admin.get('/api/search?q=parcel&from=2026-12-01&tz=Mars%2FOlympus');
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('invalid_time_zone');
  });
});
