import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import twilio from 'twilio';

/**
 * A local HTTP server speaking the parts of Twilio's REST API the inbox uses (Messages.json create,
 * Recordings delete and .mp3 media), with HTTP basic auth, and Twilio's side of the webhooks: it
 * posts form-encoded, X-Twilio-Signature-signed requests (signed with the SDK's own algorithm) the
 * way Twilio does, and follows the TwiML it gets back (<Record recordingStatusCallback action>).
 */
export type FakeTwilio = {
  url: string;
  accountSid: string;
  authToken: string;
  /** Every message created through the REST API, in order. */
  messages: Array<{ sid: string; to: string; from: string; body: string; statusCallback?: string; mediaUrl: string[] }>;
  /** Recordings Twilio still holds: sid -> audio. */
  recordings: Map<string, Buffer>;
  /** Every DELETE of a recording that found it (each sid appears once per actual deletion). */
  deletions: string[];
  /** Every DELETE request, found or not. */
  deleteRequests: string[];
  /** Numbers Twilio itself considers unsubscribed (answers error 21610). */
  unsubscribed: Set<string>;
  /** The next n REST calls answer 500. */
  failNext: number;
  /** The sid the next created message gets (to post its status callback before the send returns). */
  nextMessageSid: string | null;
  /**
   * POST a signed webhook as Twilio would; `signWith` forges with another token, `signUrl` signs another URL,
   * `unsigned` omits the header.
   */

  webhook(
    url: string,
    params: Record<string, string>,
    opts?: { signWith?: string; signUrl?: string; unsigned?: boolean },
  ): Promise<{ status: number; text: string }>;
  /** A customer texts the number. */
  sms(
    url: string,
    input: { from: string; to: string; body: string; sid?: string },
  ): Promise<{ status: number; text: string; sid: string }>;
  /** Posts a status callback for a message created through the API, to the URL it named. */
  status(sid: string, status: string, errorCode?: string): Promise<{ status: number; text: string }>;
  /**
   * A customer calls: the voice webhook answers TwiML; if it records, the fake makes a recording of
   * `seconds` length, posts the recording-status callback named in the TwiML and then the <Record> action.
   */
  call(
    voiceUrl: string,
    input: { from: string; to: string; seconds?: number; startTime?: Date; beforeRecordingCallback?: () => void },
  ): Promise<CallOutcome>;
  close(): Promise<void>;
};

export type CallOutcome = {
  callSid: string;
  twiml: string;
  say: string[];
  record: Record<string, string> | null;
  recordingSid: string | null;
  recordingCallback: { status: number; text: string } | null;
  action: { status: number; text: string } | null;
};

export const sid = (prefix: string) => `${prefix}${randomBytes(16).toString('hex')}`;

/**
 * A playable MP3 of silence: MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz, 417 bytes, 1,152 samples
 * each) with empty side information, which decoders play as silence.
 */
export function silentMp3(seconds: number): Buffer {
  const frame = Buffer.alloc(417);
  frame.set([0xff, 0xfb, 0x90, 0x64]);
  const frames = Math.max(1, Math.round((seconds * 44_100) / 1_152));
  return Buffer.concat(Array.from({ length: frames }, () => frame));
}

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (data += c));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

const twilioError = (res: ServerResponse, status: number, code: number, message: string) =>
  json(res, status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });

const attr = (tag: string) =>
  Object.fromEntries([...tag.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!.replace(/&amp;/g, '&')]));

export async function startFakeTwilio(): Promise<FakeTwilio> {
  const accountSid = sid('AC');
  const authToken = randomBytes(16).toString('hex');
  const base = `/2010-04-01/Accounts/${accountSid}`;
  const fake = {
    accountSid,
    authToken,
    messages: [],
    recordings: new Map(),
    deletions: [],
    deleteRequests: [],
    unsubscribed: new Set(),
    failNext: 0,
    nextMessageSid: null,
  } as unknown as FakeTwilio;

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const expected = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
    if (req.headers.authorization !== expected) return twilioError(res, 401, 20003, 'Authenticate');
    if (fake.failNext > 0) {
      fake.failNext--;
      await readBody(req);
      return twilioError(res, 500, 20500, 'Internal Server Error');
    }
    if (req.method === 'POST' && url.pathname === `${base}/Messages.json`) {
      const params = new URLSearchParams(await readBody(req));
      const form = Object.fromEntries(params);
      if (!form.To || !form.From) return twilioError(res, 400, 21604, "A 'To' phone number is required.");
      if ((form.Body ?? '').length > 1600)
        return twilioError(res, 400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
      if (fake.unsubscribed.has(form.To))
        return twilioError(res, 400, 21610, 'Attempt to send to unsubscribed recipient');
      const message = {
        sid: fake.nextMessageSid ?? sid('SM'),
        to: form.To,
        from: form.From,
        body: form.Body ?? '',
        statusCallback: form.StatusCallback,
        mediaUrl: params.getAll('MediaUrl'),
      };
      fake.nextMessageSid = null;
      fake.messages.push(message);
      const now = new Date().toUTCString();
      return json(res, 201, {
        account_sid: accountSid,
        api_version: '2010-04-01',
        body: message.body,
        date_created: now,
        date_sent: null,
        date_updated: now,
        direction: 'outbound-api',
        error_code: null,
        error_message: null,
        from: message.from,
        messaging_service_sid: null,
        num_media: String(message.mediaUrl.length),
        num_segments: String(Math.max(1, Math.ceil(message.body.length / 153))),
        price: null,
        price_unit: 'USD',
        sid: message.sid,
        status: 'queued',
        subresource_uris: { media: `${base}/Messages/${message.sid}/Media.json` },
        to: message.to,
        uri: `${base}/Messages/${message.sid}.json`,
      });
    }
    const recording = /^\/2010-04-01\/Accounts\/AC[0-9a-f]{32}\/Recordings\/(RE[0-9a-f]{32})\.(json|mp3)$/.exec(
      url.pathname,
    );
    if (recording && url.pathname.startsWith(base)) {
      const [, recordingSid, ext] = recording as unknown as [string, string, string];
      if (req.method === 'DELETE' && ext === 'json') {
        fake.deleteRequests.push(recordingSid);
        if (!fake.recordings.has(recordingSid))
          return twilioError(res, 404, 20404, `The requested resource ${url.pathname} was not found`);
        fake.recordings.delete(recordingSid);
        fake.deletions.push(recordingSid);
        res.writeHead(204);
        return res.end();
      }
      if (req.method === 'GET' && ext === 'mp3') {
        const audio = fake.recordings.get(recordingSid);
        if (!audio) return twilioError(res, 404, 20404, 'The requested resource was not found');
        res.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': audio.length });
        return res.end(audio);
      }
    }
    return twilioError(res, 404, 20404, 'The requested resource was not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  fake.webhook = async (url, params, opts = {}) => {
    const signature = twilio.getExpectedTwilioSignature(opts.signWith ?? authToken, opts.signUrl ?? url, params);
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(opts.unsigned ? {} : { 'x-twilio-signature': signature }),
      },
      body: new URLSearchParams(params).toString(),
    });
    return { status: res.status, text: await res.text() };
  };

  fake.sms = async (url, input) => {
    const messageSid = input.sid ?? sid('SM');
    const result = await fake.webhook(url, {
      ToCountry: 'US',
      SmsMessageSid: messageSid,
      NumMedia: '0',
      SmsSid: messageSid,
      SmsStatus: 'received',
      Body: input.body,
      To: input.to,
      NumSegments: String(Math.max(1, Math.ceil(input.body.length / 153))),
      MessageSid: messageSid,
      AccountSid: accountSid,
      From: input.from,
      ApiVersion: '2010-04-01',
    });
    return { ...result, sid: messageSid };
  };

  fake.status = async (messageSid, status, errorCode) => {
    const message = fake.messages.find((m) => m.sid === messageSid);
    if (!message?.statusCallback) throw new Error(`no status callback for ${messageSid}`);
    return fake.webhook(message.statusCallback, {
      AccountSid: accountSid,
      ApiVersion: '2010-04-01',
      From: message.from,
      MessageSid: messageSid,
      MessageStatus: status,
      SmsSid: messageSid,
      SmsStatus: status,
      To: message.to,
      ...(errorCode ? { ErrorCode: errorCode } : {}),
    });
  };

  fake.call = async (voiceUrl, input) => {
    const callSid = sid('CA');
    const callParams = {
      AccountSid: accountSid,
      ApiVersion: '2010-04-01',
      CallSid: callSid,
      CallStatus: 'ringing',
      Called: input.to,
      Caller: input.from,
      Direction: 'inbound',
      From: input.from,
      To: input.to,
    };
    const answer = await fake.webhook(voiceUrl, callParams);
    const twiml = answer.text;
    const say = [...twiml.matchAll(/<Say[^>]*>([^<]*)<\/Say>/g)].map((m) => m[1]!);
    const recordTag = /<Record\b[^>]*>/.exec(twiml)?.[0];
    const outcome: CallOutcome = {
      callSid,
      twiml,
      say,
      record: recordTag ? attr(recordTag) : null,
      recordingSid: null,
      recordingCallback: null,
      action: null,
    };
    if (answer.status !== 200 || !outcome.record) return outcome;
    const recordingSid = sid('RE');
    const seconds = input.seconds ?? 4;
    fake.recordings.set(recordingSid, silentMp3(seconds));
    outcome.recordingSid = recordingSid;
    const recordingUrl = `${fake.url}${base}/Recordings/${recordingSid}`;
    if (outcome.record.action) {
      outcome.action = await fake.webhook(outcome.record.action, {
        ...callParams,
        CallStatus: 'in-progress',
        RecordingSid: recordingSid,
        RecordingUrl: recordingUrl,
        RecordingDuration: String(seconds),
        Digits: '#',
      });
    }
    if (outcome.record.recordingStatusCallback) {
      input.beforeRecordingCallback?.();
      outcome.recordingCallback = await fake.webhook(outcome.record.recordingStatusCallback, {
        AccountSid: accountSid,
        CallSid: callSid,
        RecordingSid: recordingSid,
        RecordingUrl: recordingUrl,
        RecordingStatus: 'completed',
        RecordingDuration: String(seconds),
        RecordingChannels: '1',
        RecordingStartTime: (input.startTime ?? new Date()).toUTCString(),
        RecordingSource: 'RecordVerb',
        RecordingTrack: 'both',
      });
    }
    return outcome;
  };

  fake.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return fake;
}
