import { createHash } from 'node:crypto';
import twilio from 'twilio';
import type { ChannelAdapter, InboundMessage } from '../types.ts';
import { SMS_MAX_CHARS } from './keywords.ts';
import { sendSms, type TwilioAdapterDeps } from './sender.ts';
import { phoneThreadKey, verifyTwilioWebhook } from './sms.ts';
import type { Locale } from '../../web/i18n/index.ts';
import { serverTranslator } from '../../web/i18n/server-catalog.ts';

/** TwiML <Say> attributes (the SDK's own types: an inbox's "voice" setting is any name Twilio knows). */
type SayAttributes = Exclude<Parameters<InstanceType<typeof twilio.twiml.VoiceResponse>['say']>[0], string>;
type SayLanguage = NonNullable<SayAttributes['language']>;
const say = (speech: Speech): SayAttributes => ({
  language: SPOKEN[speech.locale].language,
  voice: (speech.voice ?? SPOKEN[speech.locale].voice) as SayAttributes['voice'],
});

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

/**
 * How each language is spoken (TwiML <Say language voice>): a neural Amazon Polly voice Twilio offers for it.
 * An inbox may name another voice (setting "voice").
 */
export const SPOKEN: Record<Locale, { language: SayLanguage; voice: string }> = {
  en: { language: 'en-GB', voice: 'Polly.Amy' },
  de: { language: 'de-DE', voice: 'Polly.Vicki' },
  fr: { language: 'fr-FR', voice: 'Polly.Lea' },
  fi: { language: 'fi-FI', voice: 'Polly.Suvi' },
  sv: { language: 'sv-SE', voice: 'Polly.Astrid' },
};

/** How a call is spoken to: the number's language and its voice. */
export type Speech = { locale: Locale; voice?: string };

/**
 * What the caller hears before anything is recorded: the recording, its purpose and how long it is kept, in the
 * number's language (the i18n catalog's twilio.announcement), or the inbox's own template ({inbox}, {days}).
 */
export function recordingAnnouncement(
  template: string | undefined,
  inboxName: string,
  days: number | null,
  locale: Locale = 'en',
): string {
  if (template) {
    return template
      .replaceAll('{inbox}', inboxName)
      .replaceAll('{days}', days === null ? 'a limited number of' : String(days));
  }
  const t = serverTranslator(locale);
  return days === null
    ? t('twilio.announcementNoLimit', { inbox: inboxName })
    : t('twilio.announcement', { inbox: inboxName, days });
}

export const announcementHash = (text: string) => createHash('sha256').update(text).digest('hex');

/** TwiML for an incoming call: announce, then record a voicemail; Twilio reports the recording to recordingCallback. */
export function voicemailTwiml(input: {
  announcement: string;
  recordedUrl: string;
  recordingCallbackUrl: string;
  maxLength: number;
  speech?: Speech;
}): string {
  const speech = input.speech ?? { locale: 'en' };
  const response = new twilio.twiml.VoiceResponse();
  response.say(say(speech), input.announcement);
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
  response.say(say(speech), serverTranslator(speech.locale)('twilio.noMessage'));
  return response.toString();
}

export function goodbyeTwiml(speech: Speech = { locale: 'en' }): string {
  const response = new twilio.twiml.VoiceResponse();
  response.say(say(speech), serverTranslator(speech.locale)('twilio.thanks'));
  response.hangup();
  return response.toString();
}

export function messagingTwiml(reply?: string): string {
  const response = new twilio.twiml.MessagingResponse();
  if (reply) response.message(reply);
  return response.toString();
}
