import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { dbMode } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { startFakeTwilio, type FakeTwilio } from '../helpers/fake-twilio.ts';
import { inboxes, recordings, retentionPolicies } from '../../drizzle/schema/index.ts';

const DAY = 86_400_000;
const OUR_NUMBER = '+15550100000';
/** The server's clock, fixed: before the tightened policy below takes effect (the real clock is past it). */
const NOW = new Date('2025-06-01T12:00:00Z');

/**
 * A new call recording's deletion date and the announcement of it follow the retention policy in force at the
 * server's clock, like the rest of retention: a shorter period waiting out its grace period does not apply yet.
 */
describe(`Twilio recordings: the deletion schedule on the server's clock (${dbMode})`, () => {
  let fake: FakeTwilio;
  let server: TestServer;
  let voiceUrl: string;

  beforeAll(async () => {
    fake = await startFakeTwilio();
    server = await startTestServer(
      {
        TWILIO_ACCOUNT_SID: fake.accountSid,
        TWILIO_AUTH_TOKEN: fake.authToken,
        TWILIO_API_URL: fake.url,
        OUTBOUND_ALLOW_HOSTS: new URL(fake.url).host,
      },
      { clock: () => new Date(NOW) },
    );
    // Recordings were kept 30 days; an admin shortened that to 7, in force from 1 July 2025.
    await server.root.db.insert(retentionPolicies).values({
      dataClass: 'recordings',
      enabled: true,
      retainDays: 7,
      previousEnabled: true,
      previousRetainDays: 30,
      takesEffectAt: new Date('2025-07-01T00:00:00Z'),
    });
    const [inbox] = await server.root.db
      .insert(inboxes)
      .values({ name: 'Phone', channel: 'voice', settings: { phoneNumber: OUR_NUMBER } })
      .returning();
    voiceUrl = `${server.url}/api/twilio/${inbox!.id}/voice`;
  });
  afterAll(async () => {
    await server?.stop();
    await fake?.close();
  });

  it('announces and schedules the 30 days still in force, not the 7 days that start in July', async () => {
    const call = await fake.call(voiceUrl, { from: '+15550101234', to: OUR_NUMBER, seconds: 3, startTime: NOW });
    expect(call.say[0]).toContain('deleted after 30 days');
    expect(call.recordingCallback).toMatchObject({ status: 204 });
    const [recording] = await server.root.db
      .select()
      .from(recordings)
      .where(eq(recordings.providerSid, call.recordingSid!));
    expect(recording!.deleteAfter.getTime() - recording!.recordedAt.getTime()).toBe(30 * DAY);
  });
});
