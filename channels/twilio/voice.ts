import { createHash } from 'node:crypto';
import twilio from 'twilio';
import type { ChannelAdapter, InboundMessage } from '../types.ts';
import { SMS_MAX_CHARS } from './keywords.ts';
import { sendSms, type TwilioAdapterDeps } from './sender.ts';
import { phoneThreadKey, verifyTwilioWebhook } from './sms.ts';

/** The form fields of Twilio's incoming-call webhook we use, plus when our server received it. */
export type VoiceWebhook = {
  CallSid: string;
  AccountSid: string;
  From: string;
  To: string;
  CallStatus?: string;
  /** Added by the route. */
  receivedAt: string;
};

/**
 * Phone calls. Each call is one message (external id: the CallSid) in the caller's conversation
 * (the phone pair); its voicemail arrives as a recording of that message. A reply to a call goes
 * back as an SMS from the same number (honouring STOP like any SMS).
 */
/** What Twilio puts in From when the caller withholds their number (besides "anonymous" and the like). */
const WITHHELD = new Set(['+266696687', '+7378742833', '+86282452253', '+8656696', '+2562533']);
export const isDiallableNumber = (from: string) => /^\+[1-9][0-9]{6,14}$/.test(from) && !WITHHELD.has(from);

export function createVoiceAdapter(deps: TwilioAdapterDeps): ChannelAdapter<VoiceWebhook> {
  return {
    kind: 'voice',
    identityKind: 'phone',
    capabilities: { threads: false, attachments: false, deliveryReceipts: true, maxLength: SMS_MAX_CHARS },
    verify: (request) => verifyTwilioWebhook(deps, request),
    parse(payload, { inboxId }): InboundMessage[] {
      // Callers who withhold their number must not all become one contact: each such call stands alone.
      const caller = isDiallableNumber(payload.From) ? payload.From : `withheld:${payload.CallSid}`;
      return [
        {
          channel: 'voice',
          inboxId,
          sender: { kind: 'phone', address: caller },
          threadKey: phoneThreadKey(payload.To, caller),
          externalId: payload.CallSid,
          text: 'Incoming call',
          occurredAt: new Date(payload.receivedAt),
          metadata: { callSid: payload.CallSid },
        },
      ];
    },
    send: (message) => sendSms(deps, message),
  };
}

export const CALL_RECORDING_POLICY_VERSION = 'call-recording-1';

const DEFAULT_ANNOUNCEMENT =
  'Thank you for calling {inbox}. Nobody can take your call right now. ' +
  'This call is recorded so that our support team can listen to your message, ' +
  'and the recording is deleted after {days} days. ' +
  'If you do not want to be recorded, please hang up now and send us a text message instead. ' +
  'Please leave your message after the tone, and press the hash key when you are done.';

/** What the caller hears before anything is recorded: the recording, its purpose and how long it is kept. */
export function recordingAnnouncement(template: string | undefined, inboxName: string, days: number | null): string {
  return (template ?? DEFAULT_ANNOUNCEMENT)
    .replaceAll('{inbox}', inboxName)
    .replaceAll('{days}', days === null ? 'a limited number of' : String(days));
}

export const announcementHash = (text: string) => createHash('sha256').update(text).digest('hex');

/** TwiML for an incoming call: announce, then record a voicemail; Twilio reports the recording to recordingCallback. */
export function voicemailTwiml(input: {
  announcement: string;
  recordedUrl: string;
  recordingCallbackUrl: string;
  maxLength: number;
}): string {
  const response = new twilio.twiml.VoiceResponse();
  response.say(input.announcement);
  response.record({
    action: input.recordedUrl,
    method: 'POST',
    maxLength: input.maxLength,
    playBeep: true,
    finishOnKey: '#',
    timeout: 5,
    recordingStatusCallback: input.recordingCallbackUrl,
    recordingStatusCallbackMethod: 'POST',
    recordingStatusCallbackEvent: ['completed'],
  });
  // Reached only when nothing was recorded (Twilio skips the action on silence).
  response.say('We did not receive a message. Goodbye.');
  return response.toString();
}

export function goodbyeTwiml(): string {
  const response = new twilio.twiml.VoiceResponse();
  response.say('Thank you, we received your message. Goodbye.');
  response.hangup();
  return response.toString();
}

export function messagingTwiml(reply?: string): string {
  const response = new twilio.twiml.MessagingResponse();
  if (reply) response.message(reply);
  return response.toString();
}
