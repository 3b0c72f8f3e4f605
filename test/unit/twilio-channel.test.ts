import { describe, expect, it } from 'vitest';
import { smsKeyword } from '../../channels/twilio/keywords.ts';
import { deliveryStateOf } from '../../channels/twilio/status.ts';
import { twilioConfigFromEnv } from '../../channels/twilio/config.ts';
import { recordingAnnouncement, voicemailTwiml, messagingTwiml } from '../../channels/twilio/voice.ts';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { fakeTwilioForContracts, smsFixture, voiceFixture } from '../fixtures/channels/twilio.ts';
import { PermanentDeliveryError } from '../../channels/types.ts';

describe('Twilio SMS keywords', () => {
  it.each([
    ['STOP', 'opt_out'],
    [' stop ', 'opt_out'],
    ['Unsubscribe.', 'opt_out'],
    ['stopall', 'opt_out'],
    ['START', 'opt_in'],
    ['unstop', 'opt_in'],
    ['help', 'help'],
    ['INFO?', 'help'],
  ])('%j is %s', (body, kind) => expect(smsKeyword(body)?.kind).toBe(kind));

  it.each(['Please stop sending the wrong size', 'stop it', 'helpful', 'STOP STOP', ''])(
    '%j is an ordinary message',
    (body) => expect(smsKeyword(body)).toBeNull(),
  );
});

describe('Twilio status callbacks', () => {
  it('maps MessageStatus to delivery states; in-flight states change nothing', () => {
    expect(
      ['queued', 'accepted', 'sending', 'sent', 'delivered', 'read', 'undelivered', 'failed', 'canceled'].map(
        deliveryStateOf,
      ),
    ).toEqual([null, null, null, 'sent', 'delivered', 'delivered', 'failed', 'failed', 'failed']);
  });
});

describe('parsing an inbound SMS', () => {
  it('keeps the phone pair as the thread and tells the agent about MMS attachments it did not import', () => {
    const adapter = smsFixture.create();
    const [msg] = adapter.parse({ ...(smsFixture.payload as object), NumMedia: '2' } as never, smsFixture.context);
    expect(msg).toMatchObject({
      channel: 'sms',
      sender: { kind: 'phone', address: '+15550101234' },
      threadKey: '+15550101234|+15550100000',
      externalId: 'SM1f0e5a3c9b8d7e6f5a4b3c2d1e0f9a8b',
    });
    expect(msg!.text).toBe('Hi, is the blue tent in stock?\n[2 MMS attachments not imported]');
  });
});

describe('parsing an incoming call', () => {
  it('keeps callers who withhold their number apart, one call each, and never replies to them', async () => {
    const adapter = voiceFixture.create();
    const payload = voiceFixture.payload as Record<string, string>;
    const [known] = adapter.parse(payload as never, voiceFixture.context);
    expect(known).toMatchObject({
      channel: 'voice',
      sender: { address: '+15550101234' },
      threadKey: '+15550101234|+15550100000',
      externalId: payload.CallSid,
      text: 'Incoming call',
    });
    const [a] = adapter.parse(
      { ...payload, From: 'anonymous', CallSid: 'CA00000000000000000000000000000001' } as never,
      voiceFixture.context,
    );
    const [b] = adapter.parse(
      { ...payload, From: '+266696687', CallSid: 'CA00000000000000000000000000000002' } as never,
      voiceFixture.context,
    );
    expect(a!.sender.address).toBe('withheld:CA00000000000000000000000000000001');
    expect(b!.sender.address).toBe('withheld:CA00000000000000000000000000000002');
    expect(a!.threadKey).not.toBe(b!.threadKey);
    const before = fakeTwilioForContracts.messages.length;
    await expect(adapter.send({ ...voiceFixture.outbound, to: a!.sender.address })).rejects.toThrow(
      PermanentDeliveryError,
    );
    expect(fakeTwilioForContracts.messages.length).toBe(before);
  });
});

describe('voice TwiML', () => {
  it('announces the recording, its purpose and its retention before recording, and names the callbacks', () => {
    const announcement = recordingAnnouncement(undefined, 'Outdoor Shop', 30);
    expect(announcement).toContain('This call is recorded so that our support team can listen to your message');
    expect(announcement).toContain('deleted after 30 days');
    const xml = voicemailTwiml({
      announcement,
      recordedUrl: 'https://x.test/recorded',
      recordingCallbackUrl: 'https://x.test/recording',
      maxLength: 120,
    });
    expect(xml.indexOf('<Say')).toBeGreaterThan(-1);
    expect(xml.indexOf('<Say')).toBeLessThan(xml.indexOf('<Record'));
    expect(xml).toContain('recordingStatusCallback="https://x.test/recording"');
    expect(xml).toContain('action="https://x.test/recorded"');
    expect(xml).toContain('maxLength="120"');
  });

  it('escapes text in TwiML', () => {
    expect(messagingTwiml('Tom & Jerry <3')).toContain('<Message>Tom &amp; Jerry &lt;3</Message>');
    expect(messagingTwiml()).toContain('<Response/>');
  });
});

describe('Twilio configuration', () => {
  it('has working defaults', () => {
    expect(twilioConfigFromEnv({})).toEqual({
      accountSid: undefined,
      authToken: undefined,
      apiUrl: 'https://api.twilio.com',
      recordingStorage: 'local',
      maxRecordingSeconds: 120,
    });
  });

  it.each([
    ['TWILIO_ACCOUNT_SID', 'AB123'],
    ['TWILIO_AUTH_TOKEN', 'short'],
    ['TWILIO_API_URL', 'ftp://api.twilio.com'],
    ['TWILIO_RECORDING_STORAGE', 's3'],
    ['TWILIO_MAX_RECORDING_SECONDS', '2'],
  ])('stops the server on a bad %s, naming it', (variable, value) => {
    let error: unknown;
    try {
      loadConfig({ [variable]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as Error).message).toContain(variable);
  });
});
