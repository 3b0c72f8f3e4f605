import type { FileLinks, Outbound } from '../../server/channel-port.ts';
import type { OutboundAttachment, OutboundMessage, SendResult } from '../types.ts';
import { PermanentDeliveryError } from '../types.ts';
import type { TwilioAccounts } from './accounts.ts';
import { describeTwilioError, twilioClient } from './client.ts';
import type { TwilioConfig } from './config.ts';
import { SMS_MAX_CHARS } from './keywords.ts';

export type TwilioAdapterDeps = {
  /** STOP list lookup (opt-outs.ts isOptedOut over the database). */
  isOptedOut(twilioNumber: string, phone: string): Promise<boolean>;
  twilio: TwilioConfig;
  accounts: TwilioAccounts;
  /** PUBLIC_URL: webhook URLs Twilio calls back (status callbacks) are built on it. */
  publicUrl: string;
  /** The REST client's connections go through it (public addresses unless OUTBOUND_ALLOW_HOSTS). */
  outbound: Outbound;
  /** Signed expiring links to the agents' files (MediaUrl for MMS, or a link in the text). */
  fileLinks: Pick<FileLinks, 'url'>;
};

/** What Twilio sends as MMS pictures everywhere (other types it may convert or refuse). */
const MMS_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif']);
/** Twilio's limit of media per message. */
const MMS_MAX_MEDIA = 10;

/**
 * How the files of a reply travel by SMS: on a number with MMS, pictures as MediaUrl (Twilio fetches them from
 * the signed link); every other file, and every file on a number without MMS, as a signed link in the text.
 */
export function smsWithFiles(
  text: string,
  files: OutboundAttachment[],
  mms: boolean,
  link: (file: OutboundAttachment) => string,
): { body: string; mediaUrl: string[] } {
  const media = mms ? files.filter((f) => MMS_TYPES.has(f.contentType)).slice(0, MMS_MAX_MEDIA) : [];
  const linked = files.filter((f) => !media.includes(f));
  const lines = linked.map((f) => `${f.filename}: ${link(f)}`);
  return { body: [text.trim(), ...lines].filter(Boolean).join('\n'), mediaUrl: media.map(link) };
}

/** Twilio errors retrying cannot fix: unsubscribed recipient, invalid or unreachable number, not SMS-capable. */
const PERMANENT_CODES = new Set([21211, 21408, 21610, 21612, 21614, 21617, 21606, 21660]);

/**
 * One SMS through the REST API (messages.create), from the inbox's number. Refuses, without any
 * request, an opted-out recipient or a text over Twilio's 1,600 characters: both fail at once, visibly.
 */
export async function sendSms(deps: TwilioAdapterDeps, message: OutboundMessage): Promise<SendResult> {
  const account = await deps.accounts.load(message.inboxId);
  if (!account) throw new Error('Twilio is not configured for this inbox (phone number, account sid and auth token)');
  const { body, mediaUrl } = smsWithFiles(message.text, message.attachments ?? [], account.mms, (f) =>
    deps.fileLinks.url(f.id, f.filename),
  );
  if (body.length > SMS_MAX_CHARS) {
    throw new PermanentDeliveryError(
      `text_too_long: SMS replies are limited to ${SMS_MAX_CHARS} characters, this one has ${body.length}` +
        (mediaUrl.length || message.attachments?.length ? ' with the links to its files' : ''),
    );
  }
  if (!/^\+[1-9][0-9]{6,14}$/.test(message.to))
    throw new PermanentDeliveryError('no_number: the caller withheld their number, there is nothing to reply to');
  if (await deps.isOptedOut(account.phoneNumber, message.to)) {
    throw new PermanentDeliveryError('opted_out: the recipient texted STOP to this number; nothing was sent');
  }
  const client = twilioClient(deps.outbound, account.accountSid, account.authToken, deps.twilio.apiUrl);
  try {
    const sent = await client.messages.create({
      from: account.phoneNumber,
      to: message.to,
      body,
      ...(mediaUrl.length ? { mediaUrl } : {}),
      statusCallback: `${deps.publicUrl}/api/twilio/${account.inboxId}/status`,
    });
    return { externalId: sent.sid, state: 'sent' };
  } catch (err) {
    const { status, code, text } = describeTwilioError(err);
    if (code === 21610) throw new PermanentDeliveryError(`opted_out: ${text}: the recipient unsubscribed at Twilio`);
    if (
      (code !== undefined && PERMANENT_CODES.has(code)) ||
      (status !== undefined && status >= 400 && status < 500 && status !== 429 && status !== 401)
    ) {
      throw new PermanentDeliveryError(text);
    }
    throw new Error(text, { cause: err });
  }
}
