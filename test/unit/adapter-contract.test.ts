import { describe, expect, it } from 'vitest';
import { adaptersOf, channelConfigsFromEnv, createChannels } from '../../channels/registry.ts';
import type { ChannelPort } from '../../server/channel-port.ts';
import { adapterContract, type ContractFixture } from '../helpers/adapter-contract.ts';
import { chatFixture } from '../fixtures/channels/chat.ts';
import { emailFixture } from '../fixtures/channels/email.ts';
import { smsFixture, voiceFixture } from '../fixtures/channels/twilio.ts';

const fixtures: Record<string, ContractFixture> = {
  chat: chatFixture,
  email: emailFixture,
  sms: smsFixture,
  voice: voiceFixture,
};
// Building the channels does no I/O, so a port nothing is called on is enough to list their adapters.
const idlePort = {} as ChannelPort;
const registry = adaptersOf(createChannels(idlePort, channelConfigsFromEnv({})));

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
