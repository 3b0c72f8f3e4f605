import { and, eq } from 'drizzle-orm';
import type { ChannelPort, Db, Outbound, RecordingProvider } from '../../server/channel-port.ts';
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

/** Recordings are voicemails: an hour of MP3 at 128 kbit/s is under 60 MB. */
const MAX_RECORDING_BYTES = 200 * 1024 * 1024;

/**
 * Streams the audio from Twilio (HTTP basic auth with the account's credentials). Twilio answers the media URL
 * with a redirect to its own storage: hops are followed within *.twilio.com (and TWILIO_API_URL's origin), the
 * credentials go to the API's origin only.
 */
export async function fetchRecordingMedia(
  outbound: Outbound,
  apiUrl: string,
  account: Pick<TwilioAccount, 'accountSid' | 'authToken'>,
  recordingSid: string,
) {
  const res = await outbound.request(recordingMediaUrl(apiUrl, account.accountSid, recordingSid), {
    headers: { authorization: `Basic ${Buffer.from(`${account.accountSid}:${account.authToken}`).toString('base64')}` },
    maxBytes: MAX_RECORDING_BYTES,
    timeoutMs: 5 * 60_000,
    maxRedirects: 3,
    redirectAllowed: (url) => isTwilioUrl(url, apiUrl),
  });
  if (res.status < 200 || res.status > 299) {
    res.body.resume();
    throw new Error(`Twilio answered HTTP ${res.status} for the recording media`);
  }
  const type = res.headers['content-type'];
  return { stream: res.body, contentType: typeof type === 'string' ? type : 'audio/mpeg' };
}

/** Twilio's own https hosts, or the configured API's origin. */
function isTwilioUrl(url: URL, apiUrl: string): boolean {
  if (url.origin === new URL(apiUrl).origin) return true;
  const host = url.hostname.toLowerCase();
  return url.protocol === 'https:' && (host === 'twilio.com' || host.endsWith('.twilio.com'));
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
  deps: Pick<ChannelPort, 'db' | 'blobs' | 'retention' | 'outbound'>,
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
    await twilioClient(deps.outbound, account.accountSid, account.authToken, twilio.apiUrl)
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
      const media = await fetchRecordingMedia(deps.outbound, twilio.apiUrl, account, cb.RecordingSid);
      blobId = (await deps.blobs.put(media.stream, { conversationId: call.conversationId })).id;
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
  outbound: Outbound,
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
      return fetchRecordingMedia(outbound, twilio.apiUrl, account, sid);
    },
    async deleteRecording(sid) {
      const account = await credentials(sid);
      if (!account) throw new Error('Twilio credentials are not configured (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN)');
      const { accountSid, authToken } = account;
      try {
        await twilioClient(outbound, accountSid, authToken, twilio.apiUrl).recordings(sid).remove();
        return 'deleted';
      } catch (err) {
        const described = describeTwilioError(err);
        if (described.status === 404) return 'not_found';
        throw new Error(described.text, { cause: err });
      }
    },
  };
}
