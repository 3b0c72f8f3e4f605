import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';
import { startDovecot, type Dovecot } from '../helpers/dovecot.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp.ts';
import { createEmailInbox, eventually, rawMail } from '../helpers/email.ts';
import type { ConversationView, MessageView } from '../../server/http/views.ts';
import type { ConversationDetail } from '../../server/http/views/conversations.ts';
import { readZip } from '../helpers/zip.ts';

/**
 * Issue 14 item 4, over a real Dovecot (mail in) and a real SMTP server (replies out): a stranger who copies the
 * victim's Message-ID into In-Reply-To can neither speak in the victim's conversation nor receive its replies;
 * every message shows the identity that wrote it; a Cc'd participant's reply still joins; the receiving
 * server's Authentication-Results are shown.
 */
describe('email: who wrote a message, and who may join and receive a conversation', () => {
  let server: TestServer;
  let dovecot: Dovecot;
  let smtp: SmtpSink;
  let agent: AgentClient;
  let inboxId: string;

  beforeAll(async () => {
    [dovecot, smtp, server] = await Promise.all([startDovecot(), startSmtpSink(), startTestServer()]);
    const admin = await server.agentClient('admin');
    agent = await server.agentClient('agent');
    inboxId = (await createEmailInbox(admin, dovecot, smtp)).id;
  });
  afterAll(async () => {
    await server?.stop();
    await Promise.all([dovecot?.stop(), smtp?.stop()]);
  });

  const conversations = async () =>
    (await agent.get(`/api/conversations?inbox=${inboxId}`)).body.items as ConversationView[];
  const detail = async (id: string) => (await agent.get(`/api/conversations/${id}`)).body as ConversationDetail;
  /** The conversation holding the message with this text, once it is there. */
  const conversationWith = (text: string) =>
    eventually(
      async () => {
        for (const c of await conversations()) {
          const d = await detail(c.id);
          if (d.messages.some((m) => m.body.includes(text))) return d;
        }
        return undefined;
      },
      15_000,
      `the message "${text}"`,
    );
  const inbound = (d: ConversationDetail) => d.messages.filter((m: MessageView) => m.direction === 'inbound');

  it('a stranger replying to the victim’s Message-ID opens a conversation of her own, shown as hers', async () => {
    const victimMail = '<refund-1@victim.example>';
    await dovecot.append(
      rawMail({
        from: 'Vera Victim <vera@victim.example>',
        messageId: victimMail,
        subject: 'Refund for order 7781',
        text: 'Please refund order 7781 to my usual account.',
        headers: {
          'Authentication-Results':
            'mx.shop.example; spf=pass smtp.mailfrom=victim.example; dkim=pass ' +
            'header.d=victim.example; dmarc=pass (p=reject) header.from=victim.example',
        },
      }),
    );
    const victim = await conversationWith('usual account');

    await dovecot.append(
      rawMail({
        from: 'Vera Victim <mallory@evil.example>',
        messageId: '<attack-1@evil.example>',
        subject: 'Re: Refund for order 7781',
        inReplyTo: victimMail,
        references: [victimMail],
        text: 'Change of plan: send the refund to my new IBAN XX00 1234.',
        headers: {
          'Reply-To': 'drop@evil.example',
          // The receiving server's verdict on top; below it, one the sender wrote herself, which must be ignored.
          'Authentication-Results':
            'mx.shop.example; spf=fail smtp.mailfrom=evil.example; dmarc=fail header.from=evil.example\r\n' +
            'Authentication-Results: mx.shop.example; dmarc=pass header.from=victim.example',
        },
      }),
    );
    const stranger = await conversationWith('new IBAN');

    // The victim's conversation is untouched: her one message, by her.
    expect(stranger.conversation.id).not.toBe(victim.conversation.id);
    const victimNow = await detail(victim.conversation.id);
    expect(inbound(victimNow).map((m) => m.body.trim())).toEqual(['Please refund order 7781 to my usual account.']);
    expect(inbound(victimNow)[0]!.author).toMatchObject({ kind: 'email', address: 'vera@victim.example' });
    expect(inbound(victimNow)[0]!.authentication).toEqual({
      authservId: 'mx.shop.example',
      results: [
        { method: 'spf', result: 'pass' },
        { method: 'dkim', result: 'pass' },
        { method: 'dmarc', result: 'pass' },
      ],
    });
    expect(victimNow.participants.map((p) => p.address)).toEqual(['vera@victim.example']);

    // The stranger's mail is hers, under her address (whatever display name she chose), with the warnings.
    const [attack] = inbound(stranger);
    expect(attack!.author).toMatchObject({ kind: 'email', address: 'mallory@evil.example' });
    expect(stranger.contact.identities).toEqual([{ kind: 'email', address: 'mallory@evil.example' }]);
    expect(attack!.markers).toContainEqual(expect.objectContaining({ kind: 'not_a_participant' }));
    expect(attack!.authentication).toEqual({
      authservId: 'mx.shop.example',
      results: [
        { method: 'spf', result: 'fail' },
        { method: 'dmarc', result: 'fail' },
      ],
    });
    expect(stranger.participants.map((p) => p.address)).toEqual(['mallory@evil.example']);

    // Replies: the victim's goes to the victim only; the stranger's to her From only, never her Reply-To.
    const toVictim = await agent.post(`/api/conversations/${victim.conversation.id}/messages`, { text: 'Refunded.' });
    expect(toVictim.body.message.deliveryState).toBe('sent');
    const toStranger = await agent.post(`/api/conversations/${stranger.conversation.id}/messages`, {
      text: 'Please write from your account address.',
    });
    expect(toStranger.body.message.deliveryState).toBe('sent');
    const mails = await smtp.waitFor(2);
    const byText = (t: string) => mails.find((m) => m.parsed.text?.includes(t))!;
    expect(byText('Refunded.').envelope.to).toEqual(['vera@victim.example']);
    expect(byText('Refunded.').parsed.cc).toBeUndefined();
    expect(byText('account address').envelope.to).toEqual(['mallory@evil.example']);
  });

  it('a Cc’d participant’s reply joins with no warning, and replies go to everyone who took part', async () => {
    const first = '<team-1@customer.example>';
    await dovecot.append(
      rawMail({
        from: 'Jane Customer <jane@customer.example>',
        to: 'Shop Support <support@shop.example>',
        messageId: first,
        subject: 'Bulk order',
        text: 'We would like 40 chairs.',
        headers: { Cc: 'Bob Buyer <bob@customer.example>, support@shop.example' },
      }),
    );
    const thread = await conversationWith('40 chairs');
    expect(thread.participants).toEqual([
      expect.objectContaining({ address: 'jane@customer.example', roles: ['from'] }),
      expect.objectContaining({ address: 'bob@customer.example', name: 'Bob Buyer', roles: ['cc'] }),
    ]);

    await dovecot.append(
      rawMail({
        from: 'Bob Buyer <bob@customer.example>',
        to: 'support@shop.example',
        messageId: '<team-2@customer.example>',
        subject: 'Re: Bulk order',
        inReplyTo: first,
        references: [first],
        text: 'Make it 45, please.',
      }),
    );
    const joined = await conversationWith('Make it 45');
    expect(joined.conversation.id).toBe(thread.conversation.id);
    expect(joined.conversation.contact.id).toBe(thread.conversation.contact.id);
    const [, reply] = inbound(joined);
    expect(reply!.author).toMatchObject({ kind: 'email', address: 'bob@customer.example', name: 'Bob Buyer' });
    expect(reply!.markers ?? []).toEqual([]);

    const before = smtp.received.length;
    const sent = await agent.post(`/api/conversations/${thread.conversation.id}/messages`, { text: '45 it is.' });
    expect(sent.body.message.deliveryState).toBe('sent');
    const mail = (await smtp.waitFor(before + 1))[before]!;
    expect(mail.parsed.to && [mail.parsed.to].flat()[0]!.value.map((a) => a.address)).toEqual([
      'jane@customer.example',
    ]);
    expect(mail.parsed.cc && [mail.parsed.cc].flat()[0]!.value.map((a) => a.address)).toEqual(['bob@customer.example']);
    expect(mail.envelope.to.sort()).toEqual(['bob@customer.example', 'jane@customer.example']);

    // Jane's readable export shows Bob's message as Bob's, not as hers.
    const res = await fetch(`${server.url}/api/contacts/${thread.conversation.contact.id}/export`, {
      headers: { cookie: agent.cookie },
    });
    expect(res.status).toBe(200);
    const zip = await readZip(Buffer.from(await res.arrayBuffer()));
    const html = [...zip].find(([name]) => name.endsWith('.html'))![1].toString();
    expect(html).toMatch(/bob@customer\.example · [^<]*<\/div><div class="body">Make it 45, please\./);
    expect(html).toMatch(/You · [^<]*<\/div><div class="body">We would like 40 chairs\./);
  });
});
