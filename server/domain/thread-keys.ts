import type { Db } from '../db/client.ts';
import type { BlindIndex } from '../security/blind-index.ts';
import { identityKeysOf } from './identity-address.ts';

/**
 * Phone channels (SMS, voice) thread by the pair of numbers, "<theirs>|<ours>" (channels/twilio/sms.ts): stored as
 * it comes, conversations.thread_key would spell the person's number, which identities keep only sealed (issue 22).
 * It is stored as a keyed token of the pair instead: the same pair gives the same key, so threading is unchanged,
 * and nothing reads the numbers back from it (replies go to the identity's opened address). Other channels' keys
 * name no address of the person (email Message-IDs, Slack workspace:channel:ts, imports) and are kept as they are.
 */
export const PHONE_THREAD_PREFIX = 'phone-thread:';

const phoneChannels = new Set(['sms', 'voice']);
/** Imported conversations are keyed by the source's conversation id (server/import/run.ts), on any channel. */
const IMPORT_THREAD_PREFIX = 'import:';

export function phoneThreadToken(blindIndex: BlindIndex, threadKey: string): string {
  return `${PHONE_THREAD_PREFIX}${blindIndex.token('handle', `${PHONE_THREAD_PREFIX}${threadKey}`)}`;
}

/** The thread key a conversation of this channel is stored under. */
export function storedThreadKey(db: Db, channel: string, threadKey: string): string {
  if (!phoneChannels.has(channel)) return threadKey;
  if (threadKey.startsWith(PHONE_THREAD_PREFIX) || threadKey.startsWith(IMPORT_THREAD_PREFIX)) return threadKey;
  return phoneThreadToken(identityKeysOf(db).blindIndex, threadKey);
}
