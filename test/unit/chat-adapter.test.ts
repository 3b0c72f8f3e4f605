import { describe, expect, it } from 'vitest';
import { createChatAdapter } from '../../channels/chat/adapter.ts';

const adapter = createChatAdapter({
  verifyToken: (token) => (token === 'good' ? { visitorId: 'visitor-1', inboxId: 'inbox-1' } : null),
});

describe('chat adapter parsing', () => {
  const payload = {
    visitorId: 'visitor-1',
    clientId: 'client-123',
    text: 'Hello <b>there</b>',
    receivedAt: '2026-11-22T10:00:00.000Z',
  };

  it('maps a widget message to the normalized InboundMessage', () => {
    expect(adapter.parse(payload, { inboxId: 'inbox-1' })).toEqual([
      {
        channel: 'chat',
        inboxId: 'inbox-1',
        sender: { kind: 'visitor', address: 'visitor-1' },
        threadKey: 'visitor-1',
        externalId: 'visitor-1:client-123',
        text: 'Hello <b>there</b>',
        occurredAt: new Date('2026-11-22T10:00:00.000Z'),
        metadata: { clientId: 'client-123' },
      },
    ]);
  });

  it('namespaces client ids per visitor so two visitors can never collide', () => {
    const [a] = adapter.parse(payload, { inboxId: 'inbox-1' });
    const [b] = adapter.parse({ ...payload, visitorId: 'visitor-2' }, { inboxId: 'inbox-1' });
    expect(a!.externalId).not.toBe(b!.externalId);
  });
});
