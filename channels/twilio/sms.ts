import type { ChannelAdapter, InboundMessage } from '../types.ts';
import { InboundRejected } from '../types.ts';
import { SMS_MAX_CHARS } from './keywords.ts';
import { sendSms, type TwilioAdapterDeps } from './sender.ts';
import { inboxIdOfWebhook, verifyTwilioRequest } from './signature.ts';

/** The form fields of Twilio's inbound-SMS webhook we use, plus when our server received it. */
export type SmsWebhook = {
  MessageSid: string;
  AccountSid: string;
  From: string;
  To: string;
  Body: string;
  NumMedia?: string;
  NumSegments?: string;
  /** Added by the route: Twilio's webhook carries no timestamp. */
  receivedAt: string;
};

export function verifyTwilioWebhook(
  deps: Pick<TwilioAdapterDeps, 'accounts'>,
  request: Parameters<ChannelAdapter['verify']>[0],
) {
  const inboxId = inboxIdOfWebhook(request.url);
  const account = inboxId ? deps.accounts.cached(inboxId) : undefined;
  if (!account) throw new InboundRejected('no Twilio account is configured for this webhook URL');
  verifyTwilioRequest(request, account);
}

/** A phone pair is the thread: one conversation per customer number and our number. */
export const phoneThreadKey = (ourNumber: string, theirNumber: string) => `${theirNumber}|${ourNumber}`;

export function createSmsAdapter(deps: TwilioAdapterDeps): ChannelAdapter<SmsWebhook> {
  return {
    kind: 'sms',
    identityKind: 'phone',
    capabilities: { threads: false, attachments: false, deliveryReceipts: true, maxLength: SMS_MAX_CHARS },
    verify: (request) => verifyTwilioWebhook(deps, request),
    parse(payload, { inboxId }): InboundMessage[] {
      const media = Number(payload.NumMedia ?? 0);
      // MMS pictures are not imported (attachments: false); the agent sees that there were some.
      const note = media > 0 ? `\n[${media} MMS attachment${media === 1 ? '' : 's'} not imported]` : '';
      return [
        {
          channel: 'sms',
          inboxId,
          sender: { kind: 'phone', address: payload.From },
          threadKey: phoneThreadKey(payload.To, payload.From),
          externalId: payload.MessageSid,
          text: `${payload.Body ?? ''}${note}`,
          occurredAt: new Date(payload.receivedAt),
          metadata: { segments: Number(payload.NumSegments ?? 1), media },
        },
      ];
    },
    send: (message) => sendSms(deps, message),
  };
}
