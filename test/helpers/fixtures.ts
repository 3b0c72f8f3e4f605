import { randomUUID } from 'node:crypto';
import { inboxes, attachments, recordings } from '../../drizzle/schema/index.ts';
import { ingest, type IngestDeps } from '../../server/domain/ingest.ts';
import type { BlobStore } from '../../server/blobs/store.ts';
import type { RecordingProvider } from '../../server/privacy/recording-providers.ts';
import { identityRow } from './identities.ts';

/** A person who wrote by email and SMS, with an attachment and a call recording: everything erasure must reach. */
export async function seedPerson(
  deps: IngestDeps & { blobs: BlobStore },
  who: { name: string; email: string; phone: string; marker: string },
) {
  const [mail] = await deps.db
    .insert(inboxes)
    .values({ name: `Mail ${randomUUID().slice(0, 6)}`, channel: 'email' })
    .returning();
  const [voice] = await deps.db
    .insert(inboxes)
    .values({ name: `Phone ${randomUUID().slice(0, 6)}`, channel: 'voice' })
    .returning();
  const first = await ingest(deps, {
    channel: 'email',
    inboxId: mail!.id,
    sender: { kind: 'email', address: who.email, name: who.name },
    threadKey: `<${randomUUID()}@example.org>`,
    externalId: `<${randomUUID()}@example.org>`,
    subject: `Order question ${who.marker}`,
    text: `Hello, this is ${who.name}. Secret detail: ${who.marker}-body-one. Call me on ${who.phone}.`,
    html: `<p>Hello, this is ${who.name}. Secret detail: ${who.marker}-body-one.</p>`,
    occurredAt: new Date(),
  });
  const { contactIdentities } = await import('../../drizzle/schema/index.ts');
  await deps.db.insert(contactIdentities).values(await identityRow(deps.db, first.contactId, 'phone', who.phone));
  const call = await ingest(deps, {
    channel: 'voice',
    inboxId: voice!.id,
    sender: { kind: 'phone', address: who.phone },
    threadKey: `CA${randomUUID().replace(/-/g, '')}`,
    externalId: `CA${randomUUID().replace(/-/g, '')}`,
    text: `Voicemail: ${who.marker}-body-two`,
    occurredAt: new Date(),
  });
  const file = await deps.blobs.put(Buffer.from(`invoice for ${who.name} ${who.marker}-file-content`), {
    messageId: first.message.id,
  });
  await deps.db.insert(attachments).values({
    messageId: first.message.id,
    blobId: file.id,
    filename: `invoice-${who.marker}.pdf`,
    contentType: 'application/pdf',
    size: file.size,
  });
  const audio = await deps.blobs.put(Buffer.from(`RIFF fake audio ${who.marker}-recording`), {
    conversationId: call.conversation.id,
  });
  const sid = `RE${randomUUID().replace(/-/g, '')}`;
  await deps.db.insert(recordings).values({
    conversationId: call.conversation.id,
    messageId: call.message.id,
    provider: 'test-provider',
    providerSid: sid,
    durationSeconds: 42,
    blobId: audio.id,
    recordedAt: new Date(),
    deleteAfter: new Date(Date.now() + 30 * 86_400_000),
  });
  return {
    contactId: first.contactId,
    emailConversationId: first.conversation.id,
    callConversationId: call.conversation.id,
    fileBlob: file.id,
    audioBlob: audio.id,
    sid,
  };
}

/** Stands in for the provider's API (Twilio's comes with its own channel): records each deletion it is asked for. */
export function recordingProviderSpy(): RecordingProvider & { deleted: string[]; failNext: number } {
  const spy = {
    deleted: [] as string[],
    failNext: 0,
    async deleteRecording(sid: string) {
      if (spy.failNext > 0) {
        spy.failNext--;
        throw new Error('provider answered 503');
      }
      const again = spy.deleted.includes(sid);
      spy.deleted.push(sid);
      return again ? ('not_found' as const) : ('deleted' as const);
    },
  };
  return spy;
}
