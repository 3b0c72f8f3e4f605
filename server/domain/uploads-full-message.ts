import { openMessageText, type TextKeys } from './message-text.ts';
import { and, asc, eq } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import type { Db } from '../db/client.ts';
import type { BlobStore } from '../blobs/store.ts';
import { attachments, messages } from '../../drizzle/schema/index.ts';
import { sanitizeMailHtml } from '../../channels/email/sanitize.ts';
import { notFound } from './errors.ts';

/**
 * A message as long as it really is. The inbox shows a mail's text, cut at MESSAGE_MAX_CHARS (marked
 * body_truncated), or "(HTML message)" for a mail that has only HTML. Its whole content is still here: the
 * sanitized HTML stored with the message, and the original mail (original.eml, kept as an attachment when the
 * text was cut or could not be read). This reads them back for the inbox's full view (a sandboxed frame, no
 * scripts, no remote images: server/http/downloads.ts and MessageBody.svelte):
 *
 * - `html`: the stored sanitized HTML, or the original's HTML sanitized the same way;
 * - `text`: the original's whole plain text when it has one (else the stored text);
 * - `originalId`: the attachment holding the original, for the .eml download.
 */
export type FullMessageView = {
  html: string | null;
  text: string;
  originalId: string | null;
  textUnreadable?: true;
};

const ORIGINAL_TYPE = 'message/rfc822';

export async function loadFullMessage(
  deps: { db: Db; blobs: Pick<BlobStore, 'get'>; dataKeys: TextKeys },
  messageId: string,
): Promise<FullMessageView> {
  const [stored] = await deps.db
    .select({ id: messages.id, body: messages.body, html: messages.html, kind: messages.kind })
    .from(messages)
    .where(eq(messages.id, messageId));
  if (!stored || stored.kind !== 'message') throw notFound('Message');
  const message = await openMessageText(deps.dataKeys, stored);
  // The key is gone: the original mail was sealed with the same key, nothing of the text is left to show.
  if (message.textUnreadable) return { html: null, text: '', originalId: null, textUnreadable: true };
  const [original] = await deps.db
    .select({ id: attachments.id, blobId: attachments.blobId })
    .from(attachments)
    .where(and(eq(attachments.messageId, messageId), eq(attachments.contentType, ORIGINAL_TYPE)))
    .orderBy(asc(attachments.createdAt))
    .limit(1);
  const view: FullMessageView = { html: message.html, text: message.body, originalId: original?.id ?? null };
  if (!original) return view;
  try {
    const parsed = await simpleParser(await deps.blobs.get(original.blobId));
    if (parsed.text && parsed.text.length > view.text.length) view.text = parsed.text.replaceAll('\u0000', '');
    if (!view.html && typeof parsed.html === 'string') view.html = sanitizeMailHtml(parsed.html);
  } catch {
    // An original mailparser cannot read (the reason it was kept) is still downloadable as it is.
  }
  return view;
}
