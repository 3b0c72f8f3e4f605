import { expect, it } from 'vitest';
import type { ChannelAdapter, InboundRequest, OutboundMessage } from '../../channels/types.ts';
import { InboundRejected } from '../../channels/types.ts';
import { channelKinds, identityKinds } from '../../drizzle/schema/enums.ts';

/** What each channel supplies to the shared contract suite: recorded real-shaped payloads and requests. */
export type ContractFixture = {
  create(): ChannelAdapter<never>;
  validRequest: InboundRequest;
  forgedRequests: InboundRequest[];
  payload: unknown;
  context: { inboxId: string };
  outbound: OutboundMessage;
};

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * The promises every ChannelAdapter makes, checked the same way for each channel. `kinds`: the channel kinds
 * the database knows (drizzle/schema/enums.ts; a test channel adds its own to its test database).
 */
export function adapterContract(kind: string, fixture: ContractFixture, kinds: readonly string[] = channelKinds) {
  const adapter = fixture.create();

  it('names its own kind and declares sane capabilities', () => {
    expect(adapter.kind).toBe(kind);
    expect(kinds).toContain(adapter.kind);
    expect(identityKinds).toContain(adapter.identityKind);
    expect(adapter.capabilities.maxLength).toBeGreaterThan(0);
    for (const flag of ['threads', 'attachments', 'deliveryReceipts'] as const)
      expect(typeof adapter.capabilities[flag]).toBe('boolean');
  });

  it('accepts a genuine inbound request', () => {
    expect(() => adapter.verify(fixture.validRequest)).not.toThrow();
  });

  it('rejects every forged inbound request with InboundRejected', () => {
    for (const forged of fixture.forgedRequests) {
      expect(() => adapter.verify(forged)).toThrow(InboundRejected);
    }
  });

  it('parses its payload to well-formed InboundMessages', () => {
    const parsed = adapter.parse(fixture.payload as never, fixture.context);
    expect(parsed.length).toBeGreaterThan(0);
    for (const msg of parsed) {
      expect(msg.channel).toBe(kind);
      expect(msg.inboxId).toBe(fixture.context.inboxId);
      expect(identityKinds).toContain(msg.sender.kind);
      expect(msg.sender.address.length).toBeGreaterThan(0);
      expect(msg.threadKey.length).toBeGreaterThan(0);
      expect(msg.externalId.length).toBeGreaterThan(0);
      expect(typeof msg.text).toBe('string');
      expect(msg.occurredAt).toBeInstanceOf(Date);
      expect(Number.isNaN(msg.occurredAt.getTime())).toBe(false);
    }
  });

  it('parses purely: same input, same output, input untouched', () => {
    const payload = deepFreeze(structuredClone(fixture.payload));
    const first = adapter.parse(payload as never, fixture.context);
    const second = adapter.parse(payload as never, fixture.context);
    expect(second).toEqual(first);
    expect(payload).toEqual(fixture.payload);
  });

  it('sends a reply and returns the provider id', async () => {
    const result = await adapter.send(fixture.outbound);
    expect(result.externalId.length).toBeGreaterThan(0);
    expect(['sent', 'delivered']).toContain(result.state);
  });
}
