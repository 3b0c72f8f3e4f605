import type { ChannelPort } from '../../server/channel-port.ts';
import type { Art30Inbox, Art30Part } from '../types.ts';
import type { Translate } from '../../web/i18n/index.ts';
import {
  ChannelConfigError,
  processorPlace,
  type ChannelInstance,
  type ChannelModule,
  type Env,
  type ProcessorPlace,
} from '../module.ts';
import { createTwilioAccounts, TWILIO_SECRET_PATHS } from './accounts.ts';
import { TwilioConfigError, twilioConfigFromEnv, type TwilioConfig } from './config.ts';
import { isOptedOut } from './opt-outs.ts';
import { createTwilioRecordingProvider, TWILIO_PROVIDER } from './recordings.ts';
import { twilioRoutes } from './routes.ts';
import { createSmsAdapter } from './sms.ts';
import { createCustomerSms, type CustomerSms } from './customer-sms.ts';
import { createVoiceAdapter } from './voice.ts';

export type TwilioInstance = ChannelInstance<'sms' | 'voice'> & {
  adapters: { sms: ReturnType<typeof createSmsAdapter>; voice: ReturnType<typeof createVoiceAdapter> };
  /** Texts outside any conversation (a code confirming a new phone number). */
  customerSms: CustomerSms;
};

/** Its settings, and where Twilio processes the data (TWILIO_PROCESSOR_COUNTRY, TWILIO_TRANSFER_BASIS). */
export type TwilioModuleConfig = TwilioConfig & { place: ProcessorPlace };

function twilioConfig(env: Env): TwilioModuleConfig {
  try {
    return {
      ...twilioConfigFromEnv(env),
      place: processorPlace(env, 'TWILIO', {
        country: 'USA',
        transferBasis: 'EU-US Data Privacy Framework (Twilio Inc. is certified); SCCs in Twilio’s DPA',
      }),
    };
  } catch (err) {
    if (err instanceof TwilioConfigError) throw new ChannelConfigError(err.variable, err.reason);
    throw err;
  }
}

function createTwilio(port: ChannelPort, config: TwilioConfig): TwilioInstance {
  const accounts = createTwilioAccounts(port.db, config, port.secrets);
  const deps = {
    isOptedOut: (number: string, phone: string) => isOptedOut(port.db, number, phone),
    twilio: config,
    accounts,
    publicUrl: port.publicUrl,
    outbound: port.outbound,
    fileLinks: port.fileLinks,
  };
  const sms = createSmsAdapter(deps);
  const voice = createVoiceAdapter(deps);
  return {
    adapters: { sms, voice },
    customerSms: createCustomerSms(port.db, deps),
    // Webhooks (signed per inbox) and the admins' number settings, both under /api/twilio.
    routes: { prefix: '/twilio', plugin: twilioRoutes({ port, config, accounts, sms, voice }) },
    recordingProviders: { [TWILIO_PROVIDER]: createTwilioRecordingProvider(port.db, port.outbound, config, accounts) },
    start: async () => {},
    stop: async () => {},
  };
}

const str = (v: unknown) => typeof v === 'string' && v.trim() !== '';

/**
 * Twilio is a processor while an account is configured (TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, or an inbox
 * with an account of its own); an sms/voice inbox reaches people through it when it has a number and an account
 * (as accounts.ts decides), otherwise it is connected to nothing (a demo inbox).
 */
function twilioArt30(config: TwilioModuleConfig, inboxes: Art30Inbox[], t: Translate): Art30Part {
  const envAccount = Boolean(config.accountSid && config.authToken);
  const hasAccount = (s: Record<string, unknown>) =>
    (str(s.accountSid) || Boolean(config.accountSid)) && (str(s.authToken) || Boolean(config.authToken));
  const connected = inboxes.filter(
    (i) => hasAccount(i.settings) && (str(i.settings.phoneNumber) || str(i.settings.number)),
  );
  const ownAccounts = inboxes.filter((i) => str(i.settings.accountSid) && str(i.settings.authToken));
  const reasons = [
    ...(envAccount ? [t('channels.twilio.envAccount')] : []),
    ...ownAccounts.map((i) => t('channels.twilio.ownAccount', { name: i.name })),
  ];
  const listed = reasons.length > 0;
  return {
    processors: listed
      ? [
          {
            name: 'Twilio Inc.',
            role: t('channels.twilio.role'),
            channels: ['sms', 'voice'],
            ...config.place,
            listedBecause: reasons.join('; '),
          },
        ]
      : [],
    activities: listed
      ? [
          {
            name: t('channels.twilio.activity'),
            purpose: t('channels.twilio.purpose'),
            legalBasis: t('channels.twilio.legalBasis'),
            dataSubjects: [t('channels.twilio.subjects')],
            dataCategories: ['recording', 'identifier'],
            recipients: [t('channels.twilio.agents'), 'Twilio Inc.'],
            retentionClass: 'recordings',
            channels: ['voice'],
          },
        ]
      : [],
    inboxes: Object.fromEntries(inboxes.map((i) => [i.id, connected.includes(i) ? t('channels.twilio.inbox') : null])),
  };
}

/** Twilio: SMS and voice (voicemail with a recording notice); one inbox per number and channel. */
export const twilioChannel = {
  kinds: ['sms', 'voice'],
  config: twilioConfig,
  create: createTwilio,
  secretSettings: { sms: TWILIO_SECRET_PATHS, voice: TWILIO_SECRET_PATHS },
  art30: twilioArt30,
} satisfies ChannelModule<'sms' | 'voice', TwilioModuleConfig, TwilioInstance>;
