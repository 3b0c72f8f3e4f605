import { describe, expect, it } from 'vitest';
import { replyRecipients } from '../../channels/email/adapter.ts';

describe('who an agent’s email reply goes to', () => {
  it('goes To the contact and Cc the other participants, never to our own address', () => {
    expect(
      replyRecipients(
        'jane@customer.example',
        ['jane@customer.example', 'bob@customer.example', 'support@shop.example'],
        'Support@Shop.example',
      ),
    ).toEqual({ to: 'jane@customer.example', cc: ['bob@customer.example'] });
  });

  it('never goes to an address that took no part: a contact address outside the participants is replaced', () => {
    expect(replyRecipients('old@customer.example', ['jane@customer.example'], 'support@shop.example')).toEqual({
      to: 'jane@customer.example',
      cc: [],
    });
  });

  it('goes to the contact alone in a conversation from before participants were recorded', () => {
    expect(replyRecipients('jane@customer.example', [], 'support@shop.example')).toEqual({
      to: 'jane@customer.example',
      cc: [],
    });
  });
});
