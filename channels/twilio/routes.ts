import { serverTranslator } from '../../web/i18n/server-catalog.ts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type, type TProperties } from 'typebox';
import { DomainError, errors, media, rateLimits, storableText, type ChannelPort } from '../../server/channel-port.ts';
import { InboundRejected, type ChannelAdapter, type InboundRequest } from '../types.ts';
import type { TwilioAccount, TwilioAccounts } from './accounts.ts';
import type { TwilioConfig } from './config.ts';
import { smsKeyword } from './keywords.ts';
import { optIn, optOut } from './opt-outs.ts';
import { storeRecording } from './recordings.ts';
import type { SmsWebhook } from './sms.ts';
import { twilioInboxRoutes } from './inbox-routes.ts';
import { applyPendingStatus, applyStatus, publishMessageCreated, publishMessageUpdated } from './status.ts';
import {
  CALL_RECORDING_POLICY_VERSION,
  announcementHash,
  goodbyeTwiml,
  messagingTwiml,
  recordingAnnouncement,
  voicemailTwiml,
  type VoiceWebhook,
} from './voice.ts';

const tags = ['twilio'];
const Params = Type.Object({ inboxId: Type.String({ format: 'uuid' }) });
const Sid = (prefix: string) => Type.String({ pattern: `^${prefix}[0-9a-fA-F]{32}$` });
// Twilio sends many more fields (FromCity, ApiVersion ...): they are allowed and signed, just not used.
const form = <T extends TProperties>(properties: T) => Type.Object(properties, { additionalProperties: true });
const Phone = Type.String({ minLength: 3, maxLength: 64 });
const Twiml = media('TwiML: what Twilio says or does next', { 'text/xml': Type.String() });
/** Twilio posts form-encoded parameters and signs them (X-Twilio-Signature) with the inbox's auth token. */
const signedForm = { consumes: ['application/x-www-form-urlencoded'], security: [{ twilioSignature: [] }] };

declare module 'fastify' {
  interface FastifyRequest {
    twilioAccount: TwilioAccount | null;
  }
}

const forbidden = () => new DomainError(403, 'invalid_signature', 'Twilio signature check failed');

/**
 * Twilio's webhooks, one set per sms/voice inbox (the inbox id is in the URL, so it is signed too):
 *   POST /api/twilio/:inboxId/sms               inbound SMS (answers TwiML)
 *   POST /api/twilio/:inboxId/status            delivery status of our SMS replies
 *   POST /api/twilio/:inboxId/voice             incoming call (answers TwiML: announcement + voicemail)
 *   POST /api/twilio/:inboxId/voice/recorded    where Twilio goes after the voicemail (TwiML: goodbye)
 *   POST /api/twilio/:inboxId/voice/recording   recording status callback
 * Public, but every request must carry a valid X-Twilio-Signature (checked before the body is even
 * validated): absent or forged answers 403 and stores nothing. 2xx only after the data is committed.
 */
export type TwilioRouteDeps = {
  port: ChannelPort;
  config: TwilioConfig;
  accounts: TwilioAccounts;
  sms: ChannelAdapter<SmsWebhook>;
  voice: ChannelAdapter<VoiceWebhook>;
};

export const twilioRoutes =
  ({ port, config, accounts, sms, voice }: TwilioRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    // Twilio posts application/x-www-form-urlencoded; this parser applies to these routes only (encapsulated).
    app.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 64 * 1024 },
      (_req, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(body as string)));
      },
    );
    app.decorateRequest('twilioAccount', null);
    await app.register(twilioInboxRoutes({ port, config, accounts }));

    const verifyWith =
      (adapter: ChannelAdapter<SmsWebhook> | ChannelAdapter<VoiceWebhook>, channels: Array<'sms' | 'voice'>) =>
      async (request: FastifyRequest) => {
        const { inboxId } = request.params as { inboxId?: string };
        const account = inboxId && /^[0-9a-f-]{36}$/.test(inboxId) ? await accounts.load(inboxId) : null;
        if (!account || !channels.includes(account.channel)) throw forbidden();
        const inbound: InboundRequest = {
          // Twilio signed the URL it was configured with: the public address, not the proxy's upstream one.
          url: `${port.publicUrl}${request.url}`,
          headers: request.headers,
          rawBody: '',
          body: request.body ?? {},
        };
        try {
          adapter.verify(inbound);
        } catch (err) {
          if (err instanceof InboundRejected) throw forbidden();
          throw err;
        }
        request.twilioAccount = account;
      };
    const account = (request: FastifyRequest) => request.twilioAccount!;
    const xml = 'text/xml; charset=utf-8';

    // A status callback may overtake the commit of the send it reports on; once the sid is stored, apply it.
    const unsubscribe = port.events.subscribe('message.updated', ({ message }) => {
      if (
        (message.channel !== 'sms' && message.channel !== 'voice') ||
        message.direction !== 'outbound' ||
        message.deliveryState !== 'sent'
      )
        return;
      applyPendingStatus(port.db, message.id)
        .then(async (changed) => {
          if (changed) await publishMessageUpdated(port, changed);
        })
        .catch((err) =>
          app.log.error({ err: { type: (err as Error).name } }, 'applying a pending Twilio status failed'),
        );
    });
    app.addHook('onClose', async () => unsubscribe());

    app.post(
      '/:inboxId/sms',
      {
        config: { access: 'public', signed: true, rateLimit: rateLimits.webhook },
        preValidation: verifyWith(sms, ['sms']),
        schema: {
          ...signedForm,
          tags,
          summary: 'Twilio inbound SMS webhook (X-Twilio-Signature); STOP/START/HELP are honoured',
          params: Params,
          body: form({
            MessageSid: Sid('(SM|MM)'),
            AccountSid: Sid('AC'),
            From: Phone,
            To: Phone,
            Body: Type.String({ maxLength: 1600 }),
            NumMedia: Type.Optional(Type.String()),
            NumSegments: Type.Optional(Type.String()),
          }),
          response: { 200: Twiml, ...errors(400, 403) },
        },
      },
      async (request, reply) => {
        const body = request.body as unknown as SmsWebhook;
        const [message] = sms.parse({ ...body, receivedAt: new Date().toISOString() } as never, {
          inboxId: request.params.inboxId,
        });
        const result = await port.ingest(message!);
        const keyword = smsKeyword(body.Body);
        const optInput = {
          twilioNumber: account(request).phoneNumber,
          // ingest cleaned the stored copy (NUL, broken surrogates); the opt-out list gets the same cleaning.
          phone: storableText(body.From),
          contactId: result.contactId,
          keyword: keyword?.word ?? '',
          conversationId: result.conversation.id,
        };
        const marker =
          keyword?.kind === 'opt_out'
            ? await optOut(port.db, optInput)
            : keyword?.kind === 'opt_in'
              ? await optIn(port.db, optInput)
              : null;
        if (marker) await publishMessageCreated(port, marker);
        // Twilio answers STOP/START itself (carrier rules; their wording is set per number in Twilio's Advanced
        // Opt-Out); HELP gets the inbox's help text, or, once the number has a language, the catalog's.
        const answer =
          keyword?.kind === 'help' ? helpAnswer(account(request), result.conversation.inboxName) : undefined;
        return reply.type(xml).send(messagingTwiml(answer));
      },
    );

    app.post(
      '/:inboxId/status',
      {
        config: { access: 'public', signed: true, rateLimit: rateLimits.webhook },
        preValidation: verifyWith(sms, ['sms', 'voice']),
        schema: {
          ...signedForm,
          tags,
          summary: 'Twilio message status callback: moves the reply to sent, delivered or failed',
          params: Params,
          body: form({
            MessageSid: Sid('(SM|MM)'),
            AccountSid: Sid('AC'),
            MessageStatus: Type.String({ maxLength: 40 }),
            ErrorCode: Type.Optional(Type.String({ maxLength: 10 })),
          }),
          response: { 204: Type.Null(), ...errors(400, 403) },
        },
      },
      async (request, reply) => {
        const { MessageSid, MessageStatus, ErrorCode } = request.body;
        const errorCode = ErrorCode ? storableText(ErrorCode) : undefined;
        const changed = await applyStatus(port.db, MessageSid, MessageStatus, errorCode);
        if (changed) await publishMessageUpdated(port, changed);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/:inboxId/voice',
      {
        config: { access: 'public', signed: true, rateLimit: rateLimits.webhook },
        preValidation: verifyWith(voice, ['voice']),
        schema: {
          ...signedForm,
          tags,
          summary: 'Twilio incoming-call webhook: announces the recording and its purpose, then records a voicemail',
          params: Params,
          body: form({
            CallSid: Sid('CA'),
            AccountSid: Sid('AC'),
            From: Phone,
            To: Phone,
            CallStatus: Type.Optional(Type.String()),
          }),
          response: { 200: Twiml, ...errors(400, 403) },
        },
      },
      async (request, reply) => {
        const { inboxId } = request.params;
        const body = request.body as unknown as VoiceWebhook;
        const [message] = voice.parse({ ...body, receivedAt: new Date().toISOString() } as never, { inboxId });
        const result = await port.ingest(message!);
        // A caller has said nothing yet: the number's language speaks (English when none is set).
        const speech = { locale: account(request).language ?? 'en', voice: account(request).voice };
        const announcement = recordingAnnouncement(
          account(request).recordingAnnouncement,
          result.conversation.inboxName,
          await port.retention.recordingRetainDays(),
          speech.locale,
        );
        // The announcement is the notice; staying on the line after it is the consent, with the call as evidence.
        const evidence = await port.consentEvidence(result.contactId, 'call_recording');
        if (!evidence.some((e) => e.callSid === body.CallSid)) {
          await port.recordConsent({
            contactId: result.contactId,
            purpose: 'call_recording',
            granted: true,
            policyVersion: CALL_RECORDING_POLICY_VERSION,
            textHash: announcementHash(announcement),
            language: speech.locale,
            sourceChannel: 'voice',
            evidence: { callSid: body.CallSid, notice: 'announced before recording; caller stayed on the line' },
          });
        }
        const base = `${port.publicUrl}/api/twilio/${inboxId}/voice`;
        return reply.type(xml).send(
          voicemailTwiml({
            announcement,
            recordedUrl: `${base}/recorded`,
            recordingCallbackUrl: `${base}/recording`,
            maxLength: config.maxRecordingSeconds,
            speech,
          }),
        );
      },
    );

    app.post(
      '/:inboxId/voice/recorded',
      {
        config: { access: 'public', signed: true, rateLimit: rateLimits.webhook },
        preValidation: verifyWith(voice, ['voice']),
        schema: {
          ...signedForm,
          tags,
          summary: 'Where Twilio continues after the voicemail: thanks the caller and hangs up',
          params: Params,
          body: form({ CallSid: Sid('CA'), AccountSid: Sid('AC') }),
          response: { 200: Twiml, ...errors(400, 403) },
        },
      },
      async (request, reply) =>
        reply
          .type(xml)
          .send(goodbyeTwiml({ locale: account(request).language ?? 'en', voice: account(request).voice })),
    );

    app.post(
      '/:inboxId/voice/recording',
      {
        config: { access: 'public', signed: true, rateLimit: rateLimits.webhook },
        preValidation: verifyWith(voice, ['voice']),
        schema: {
          ...signedForm,
          tags,
          summary:
            'Twilio recording status callback: stores the recording (copying the audio unless kept at Twilio ' +
            'only) with its deletion date',
          params: Params,
          body: form({
            AccountSid: Sid('AC'),
            CallSid: Sid('CA'),
            RecordingSid: Sid('RE'),
            RecordingStatus: Type.String({ maxLength: 40 }),
            RecordingDuration: Type.Optional(Type.String({ maxLength: 12 })),
            RecordingStartTime: Type.Optional(Type.String({ maxLength: 64 })),
          }),
          response: { 204: Type.Null(), ...errors(400, 403) },
        },
      },
      async (request, reply) => {
        const outcome = await storeRecording(port, config, account(request), request.body);
        if (outcome.copyFailed)
          request.log.warn(
            { recordingId: outcome.recordingId },
            'recording audio could not be copied from Twilio; it plays from Twilio',
          );
        if (outcome.status === 'created' && outcome.messageId) await publishMessageUpdated(port, outcome.messageId);
        return reply.status(204).send(null);
      },
    );
  };

/**
 * The answer to HELP: the admin's own words; else, for a number with a language set, the catalog's in that
 * language; else none (Twilio's own HELP answer stands, and two answers would confuse).
 */
function helpAnswer(account: TwilioAccount, inboxName: string): string | undefined {
  if (account.helpText) return account.helpText;
  return account.language ? serverTranslator(account.language)('twilio.help', { inbox: inboxName }) : undefined;
}
