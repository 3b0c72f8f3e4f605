import { and, eq } from 'drizzle-orm';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { ChannelPort, Db, RecordingProvider } from '../../server/channel-port.ts';
import { conversations, messages, recordings } from '../../drizzle/schema/index.ts';
import type { TwilioAccount, TwilioAccounts } from './accounts.ts';
import { describeTwilioError, twilioClient } from './client.ts';
import type { TwilioConfig } from './config.ts';

export const TWILIO_PROVIDER = 'twilio';

/** The recording-status callback's fields we use. */
export type RecordingCallback = {
  AccountSid: string;
  CallSid: string;
  RecordingSid: string;
  RecordingStatus: string;
  RecordingDuration?: string;
  RecordingStartTime?: string;
};

/** Where Twilio serves a recording's audio (MP3), built from sids: never a URL taken from the request. */
export const recordingMediaUrl = (apiUrl: string, accountSid: string, recordingSid: string) =>
  `${apiUrl}/2010-04-01/Accounts/${encodeURIComponent(accountSid)}/Recordings/${encodeURIComponent(recordingSid)}.mp3`;

/** Streams the audio from Twilio (HTTP basic auth with the account's credentials). */
export async function fetchRecordingMedia(
  apiUrl: string,
  account: Pick<TwilioAccount, 'accountSid' | 'authToken'>,
  recordingSid: string,
) {
  const res = await fetch(recordingMediaUrl(apiUrl, account.accountSid, recordingSid), {
    headers: { authorization: `Basic ${Buffer.from(`${account.accountSid}:${account.authToken}`).toString('base64')}` },
    signal: AbortSignal.timeout(60_000),
  });
  if (!res.ok || !res.body) throw new Error(`Twilio answered HTTP ${res.status} for the recording media`);
  return {
    stream: Readable.fromWeb(res.body as WebReadableStream<Uint8Array>),
    contentType: res.headers.get('content-type') ?? 'audio/mpeg',
  };
}

export type RecordingOutcome = {
  status: 'created' | 'replayed' | 'ignored' | 'orphan';
  recordingId?: string;
  messageId?: string;
  copyFailed?: boolean;
};

/**
 * A finished recording: stored with its duration and delete_after from the retention policy, the audio
 * copied into the blob store unless recordings are kept at Twilio only. Idempotent on the RecordingSid.
 * A recording of a call we never stored (no message) is deleted at Twilio at once: nothing of it is kept.
 */
export async function storeRecording(
  deps: Pick<ChannelPort, 'db' | 'blobs' | 'retention'>,
  twilio: TwilioConfig,
  account: TwilioAccount,
  cb: RecordingCallback,
): Promise<RecordingOutcome> {
  if (cb.RecordingStatus !== 'completed') return { status: 'ignored' };
  const { db } = deps;
  const [call] = await db
    .select({ id: messages.id, conversationId: messages.conversationId })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .where(
      and(
        eq(messages.channel, 'voice'),
        eq(messages.externalId, cb.CallSid),
        eq(conversations.inboxId, account.inboxId),
      ),
    );
  if (!call) {
    await twilioClient(account.accountSid, account.authToken, twilio.apiUrl)
      .recordings(cb.RecordingSid)
      .remove()
      .catch(() => {});
    return { status: 'orphan' };
  }
  const [existing] = await db
    .select({ id: recordings.id })
    .from(recordings)
    .where(and(eq(recordings.provider, TWILIO_PROVIDER), eq(recordings.providerSid, cb.RecordingSid)));
  if (existing) return { status: 'replayed', recordingId: existing.id, messageId: call.id };

  const started = cb.RecordingStartTime ? new Date(cb.RecordingStartTime) : new Date();
  const recordedAt = Number.isNaN(started.getTime()) ? new Date() : started;
  let blobId: string | null = null;
  let copyFailed = false;
  if (twilio.recordingStorage === 'local') {
    try {
      const media = await fetchRecordingMedia(twilio.apiUrl, account, cb.RecordingSid);
      blobId = (await deps.blobs.put(media.stream)).id;
    } catch {
      // Still store the row: without it nothing would ever delete the recording at Twilio. It plays from Twilio.
      copyFailed = true;
    }
  }
  const [inserted] = await db
    .insert(recordings)
    .values({
      conversationId: call.conversationId,
      messageId: call.id,
      provider: TWILIO_PROVIDER,
      providerSid: cb.RecordingSid,
      durationSeconds: Math.max(0, Math.round(Number(cb.RecordingDuration ?? 0)) || 0),
      blobId,
      recordedAt,
      deleteAfter: await deps.retention.recordingDeleteAfter(recordedAt),
    })
    .onConflictDoNothing()
    .returning({ id: recordings.id });
  if (!inserted) {
    // A concurrent delivery of the same callback won: keep its copy, drop ours.
    if (blobId) await deps.blobs.delete(blobId);
    const [winner] = await db
      .select({ id: recordings.id })
      .from(recordings)
      .where(and(eq(recordings.provider, TWILIO_PROVIDER), eq(recordings.providerSid, cb.RecordingSid)));
    return { status: 'replayed', recordingId: winner?.id, messageId: call.id };
  }
  return { status: 'created', recordingId: inserted.id, messageId: call.id, copyFailed };
}

/**
 * Deletes a recording at Twilio (recordings(sid).remove()) with the credentials of the inbox the
 * call came in on; a 404 means Twilio no longer has it, which counts as deleted. Plays a recording kept
 * at Twilio only by streaming it from there.
 */
export function createTwilioRecordingProvider(
  db: Db,
  twilio: TwilioConfig,
  accounts: TwilioAccounts,
): RecordingProvider {
  /** The credentials of the inbox the call came in on, else the server-wide account. */
  const credentials = async (sid: string) => {
    const [row] = await db
      .select({ inboxId: conversations.inboxId })
      .from(recordings)
      .innerJoin(conversations, eq(conversations.id, recordings.conversationId))
      .where(and(eq(recordings.provider, TWILIO_PROVIDER), eq(recordings.providerSid, sid)));
    const account = row ? await accounts.load(row.inboxId) : null;
    const accountSid = account?.accountSid ?? twilio.accountSid;
    const authToken = account?.authToken ?? twilio.authToken;
    return accountSid && authToken ? { accountSid, authToken } : null;
  };
  return {
    async openMedia(sid) {
      const account = await credentials(sid);
      if (!account) throw new Error('Twilio credentials are not configured');
      return fetchRecordingMedia(twilio.apiUrl, account, sid);
    },
    async deleteRecording(sid) {
      const account = await credentials(sid);
      if (!account) throw new Error('Twilio credentials are not configured (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN)');
      const { accountSid, authToken } = account;
      try {
        await twilioClient(accountSid, authToken, twilio.apiUrl).recordings(sid).remove();
        return 'deleted';
      } catch (err) {
        const described = describeTwilioError(err);
        if (described.status === 404) return 'not_found';
        throw new Error(described.text, { cause: err });
      }
    },
  };
}
