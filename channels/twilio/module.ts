import type { ChannelPort } from '../../server/channel-port.ts';
import { ChannelConfigError, type ChannelInstance, type ChannelModule, type Env } from '../module.ts';
import { createTwilioAccounts, TWILIO_SECRET_PATHS } from './accounts.ts';
import { TwilioConfigError, twilioConfigFromEnv, type TwilioConfig } from './config.ts';
import { isOptedOut } from './opt-outs.ts';
import { createTwilioRecordingProvider, TWILIO_PROVIDER } from './recordings.ts';
import { twilioRoutes } from './routes.ts';
import { createSmsAdapter } from './sms.ts';
import { createVoiceAdapter } from './voice.ts';

export type TwilioInstance = ChannelInstance<'sms' | 'voice'> & {
  adapters: { sms: ReturnType<typeof createSmsAdapter>; voice: ReturnType<typeof createVoiceAdapter> };
};

function twilioConfig(env: Env): TwilioConfig {
  try {
    return twilioConfigFromEnv(env);
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
  };
  const sms = createSmsAdapter(deps);
  const voice = createVoiceAdapter(deps);
  return {
    adapters: { sms, voice },
    // Webhooks (signed per inbox) and the admins' number settings, both under /api/twilio.
    routes: { prefix: '/twilio', plugin: twilioRoutes({ port, config, accounts, sms, voice }) },
    recordingProviders: { [TWILIO_PROVIDER]: createTwilioRecordingProvider(port.db, port.outbound, config, accounts) },
    start: async () => {},
    stop: async () => {},
  };
}

/** Twilio: SMS and voice (voicemail with a recording notice); one inbox per number and channel. */
export const twilioChannel = {
  kinds: ['sms', 'voice'],
  config: twilioConfig,
  create: createTwilio,
  secretSettings: { sms: TWILIO_SECRET_PATHS, voice: TWILIO_SECRET_PATHS },
  art30: {
    processors: [
      {
        name: 'Twilio Inc.',
        role: 'SMS and voice delivery, call recording (deleted at Twilio on schedule)',
        channels: ['sms', 'voice'],
        location: 'USA (EU-US Data Privacy Framework / SCCs)',
      },
    ],
    activities: [
      {
        name: 'Call recording',
        purpose: 'Recording voicemails and calls to handle the request',
        legalBasis:
          'Art. 6(1)(a) GDPR: consent announced at the start of each call and recorded with the call as evidence',
        dataSubjects: ['callers'],
        dataCategories: ['recording', 'identifier'],
        recipients: ['support agents', 'Twilio Inc.'],
        retentionClass: 'recordings',
        channels: ['voice'],
      },
    ],
  },
} satisfies ChannelModule<'sms' | 'voice', TwilioConfig, TwilioInstance>;
