import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbMode } from '../helpers/db.ts';
import { startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';
import { contactIdentities } from '../../drizzle/schema/index.ts';
import { identityRow } from '../helpers/identities.ts';
import { insertContact } from '../helpers/contacts.ts';

/**
 * Issue 18: the API's errors keep a stable `code` for programs; their `params` carry the values the message names;
 * the codes people meet outside the inbox and the widget (the public request page's API, API tokens, provider
 * webhooks, rate limits) are worded in the reader's language: the language a public request names, the signed-in
 * agent's preference, else Accept-Language. A program that asks for no language keeps the English message.
 */
describe(`errors in the reader’s language on ${dbMode}`, () => {
  let server: TestServer;
  let admin: AgentClient;
  let client = 0;

  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    client += 1;
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        // Each call from its own address (through the trusted proxy): the public routes' limits count per address.
        'x-forwarded-for': `10.1.0.${client}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, language: res.headers.get('content-language'), body: await res.json() };
  };

  beforeAll(async () => {
    server = await startTestServer({ EMAIL_IMAP_ENABLED: 'false', TRUST_PROXY: '127.0.0.1' });
    admin = await server.agentClient('admin');
  });
  afterAll(() => server.stop());

  it('answers the public request page’s API in the language the person chose, else their browser’s', async () => {
    const german = await call('POST', '/api/public/privacy-requests/code', {
      address: 'not an address',
      language: 'de',
    });
    expect(german).toMatchObject({ status: 400, language: 'de', body: { code: 'invalid_identity' } });
    expect(german.body.message).toBe(
      'Geben Sie die E-Mail-Adresse, Telefonnummer oder Slack-Mitglieds-ID an, über die Sie uns kontaktiert haben.',
    );

    const finnish = await call(
      'POST',
      '/api/public/privacy-requests/verify',
      { challengeId: '6f1b2c3d-4e5f-4a9e-9a4e-5f0c6a8e3b9e', code: '000000' },
      { 'accept-language': 'fi-FI, en;q=0.5' },
    );
    expect(finnish).toMatchObject({ status: 400, language: 'fi', body: { code: 'code_invalid' } });
    expect(finnish.body.message).toMatch(/^Koodi on väärä/);

    const swedish = await call(
      'POST',
      '/api/public/privacy-requests',
      { kind: 'access' },
      {
        authorization: 'Bearer no-such-session',
        'accept-language': 'sv',
      },
    );
    expect(swedish).toMatchObject({ status: 401, language: 'sv', body: { code: 'verification_expired' } });
    expect(swedish.body.message).toBe('Din verifiering har gått ut. Begär en ny kod.');

    // A program that asks for no language reads the English message, as before.
    const english = await call('POST', '/api/public/privacy-requests/code', { address: 'not an address' });
    expect(english).toMatchObject({ status: 400, language: null, body: { code: 'invalid_identity' } });
    expect(english.body.message).toMatch(/^Enter the email address/);
  });

  it('words API token refusals by Accept-Language, with the missing scope as a param', async () => {
    const unknown = await call('GET', '/api/conversations', undefined, {
      authorization: 'Bearer pit_nosuchtokennosuchtokennosuchtokennosuchtok',
      'accept-language': 'fr',
    });
    expect(unknown).toMatchObject({ status: 401, language: 'fr', body: { code: 'invalid_api_token' } });
    expect(unknown.body.message).toMatch(/^Ce jeton d’API n’est pas valide/);

    const created = await admin.post('/api/tokens', { name: 'Reader', scopes: ['conversations:read'] });
    const secret = (created.body as { secret: string }).secret;
    const scoped = await call('GET', '/api/contacts', undefined, {
      authorization: `Bearer ${secret}`,
      'accept-language': 'de',
    });
    expect(scoped).toMatchObject({
      status: 403,
      language: 'de',
      body: { code: 'token_scope', params: { scope: 'contacts:read' } },
    });
    expect(scoped.body.message).toBe('Dafür ist ein API-Token mit dem Bereich contacts:read nötig.');
    // The token's admin prefers German below; a program's error still follows only its own Accept-Language.
    await admin.send('PATCH', '/api/agents/me', { locale: 'de' });
    const plain = await call('GET', '/api/contacts', undefined, { authorization: `Bearer ${secret}` });
    expect(plain.body.message).toBe('This needs the contacts:read scope');
  });

  it('words a refused webhook URL in the signed-in agent’s language, and a provider’s failed signature', async () => {
    await admin.send('PATCH', '/api/agents/me', { locale: 'sv' });
    const bad = await admin.post('/api/webhooks', {
      name: 'CRM',
      url: 'http://crm.example.org/hook',
      events: ['conversation.created'],
    });
    expect(bad).toMatchObject({ status: 400, body: { code: 'invalid_webhook_url' } });
    expect((bad.body as { message: string }).message).toMatch(/^Webhookens URL måste vara/);

    const unsigned = await call('POST', '/api/slack/events', { type: 'event_callback' }, { 'accept-language': 'de' });
    if (unsigned.status === 404) {
      // No Slack on this server: the refusal that says so is worded too.
      expect(unsigned.body).toMatchObject({ code: 'slack_not_configured' });
      expect(unsigned.body.message).toBe('Slack ist auf diesem Server nicht eingerichtet.');
    } else {
      expect(unsigned.body).toMatchObject({ code: 'invalid_signature' });
      expect(unsigned.body.message).toBe('Die Signatur der Anfrage konnte nicht geprüft werden.');
    }
    await admin.send('PATCH', '/api/agents/me', { locale: null });
  });

  it('sends the values a message names as params: a text’s limit, a legal hold’s action and reasons', async () => {
    const visitor = await server.visitor();
    const long = await visitor.post('/api/widget/messages', { clientId: 'too-long-1', text: 'x'.repeat(10_001) });
    expect(long).toMatchObject({
      status: 413,
      body: { code: 'message_too_large', params: { limit: 10_000 } },
    });

    const c = await insertContact(server.root.db, { name: 'Held Person' });
    await server.root.db
      .insert(contactIdentities)
      .values(await identityRow(server.root.db, c!.id, 'email', 'held.person@example.org'));
    const hold = await admin.post('/api/privacy/legal-holds', { contactId: c!.id, reason: 'Court case 12/2026' });
    expect(hold.status).toBe(201);
    const erase = await admin.post(`/api/contacts/${c!.id}/erase`, { confirm: true });
    expect(erase).toMatchObject({
      status: 409,
      body: { code: 'legal_hold', params: { action: 'erasure', reasons: ['Court case 12/2026'] } },
    });
  });
});
