import { describe, expect, it } from 'vitest';
import { createAdapters } from '../../channels/registry.ts';
import { adapterContract, type ContractFixture } from '../helpers/adapter-contract.ts';
import { chatFixture } from '../fixtures/channels/chat.ts';
import { emailFixture } from '../fixtures/channels/email.ts';
import { createMailSender } from '../../channels/email/smtp.ts';
import { smsFixture, twilioFixtureDeps, voiceFixture } from '../fixtures/channels/twilio.ts';

const fixtures: Record<string, ContractFixture> = {
  chat: chatFixture,
  email: emailFixture,
  sms: smsFixture,
  voice: voiceFixture,
};
const registry = createAdapters({
  verifyToken: () => null,
  emailStore: { inbox: async () => null, replyTarget: async () => null },
  mailSender: createMailSender(),
  twilio: twilioFixtureDeps,
});

describe('channel registry', () => {
  it('has a contract fixture for every adapter it provides', () => {
    const provided = Object.entries(registry)
      .filter(([, adapter]) => adapter !== null)
      .map(([kind]) => kind);
    expect(provided.sort()).toEqual(Object.keys(fixtures).sort());
  });
});

for (const [kind, fixture] of Object.entries(fixtures)) {
  describe(`ChannelAdapter contract: ${kind}`, () => adapterContract(kind, fixture));
}
