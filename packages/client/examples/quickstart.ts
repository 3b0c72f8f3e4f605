import { writeFileSync } from 'node:fs';
import { createInboxClient } from '../src/index.ts';

/**
 * The client end to end, as an integration would use it:
 *   INBOX_URL=https://support.example.com INBOX_EMAIL=… INBOX_PASSWORD=… npx tsx packages/client/examples/quickstart.ts
 * (or INBOX_TOKEN=pit_… instead of the email and password). It signs in, lists the open conversations, replies
 * to the newest, records the customer's consent to analytics given on another channel, and downloads that
 * customer's data export (a zip) to EXPORT_FILE.
 */
const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

// An API token (INBOX_TOKEN, scopes conversations:read, messages:write, privacy:read, privacy:write), or a sign-in.
const token = process.env.INBOX_TOKEN;
const inbox = createInboxClient({ baseUrl: env('INBOX_URL'), token });
if (token) console.log('using an API token');
else {
  const me = await inbox.login(env('INBOX_EMAIL'), env('INBOX_PASSWORD'));
  console.log(`signed in as ${me.role} ${me.id}`);
}

const { data: page } = await inbox.GET('/api/conversations', { params: { query: { status: 'open', limit: 10 } } });
const conversation = page?.items[0];
console.log(`open conversations: ${page?.items.length ?? 0}`);
if (!conversation) process.exit(0);

const { data: replied, error: replyError } = await inbox.POST('/api/conversations/{id}/messages', {
  params: { path: { id: conversation.id } },
  body: { text: 'Thanks for writing, we are on it.' },
});
if (!replied) throw new Error(`reply failed: ${replyError?.code}`);
console.log(`replied: message ${replied.message.id}`);

const contactId = conversation.contact.id;
const { data: ledger, error: consentError } = await inbox.POST('/api/contacts/{id}/consent', {
  params: { path: { id: contactId } },
  body: { purpose: 'analytics', granted: true, sourceChannel: 'email', evidence: 'Reply of 2026-12-01 to our survey' },
});
if (!ledger) throw new Error(`consent failed: ${consentError?.code}`);
console.log(`consent recorded: ${ledger.current.length} purposes on record`);

const { data: archive, response } = await inbox.GET('/api/contacts/{id}/export', {
  params: { path: { id: contactId } },
  parseAs: 'arrayBuffer',
});
if (!archive) throw new Error(`export failed: ${response.status}`);
writeFileSync(process.env.EXPORT_FILE ?? 'export.zip', Buffer.from(archive));
console.log(`export: ${archive.byteLength} bytes, ${response.headers.get('content-type')}`);
