import type { TextKeys } from '../domain/message-text.ts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import type { BlobStore } from '../blobs/store.ts';
import type { Config } from '../config.ts';
import { IdParams, download, errors } from '../http/common.ts';
import { DomainError, notFound } from '../domain/errors.ts';
import { INERT_IMAGE_TYPES, sendDownload } from '../http/downloads.ts';
import { rateLimits } from '../http/rate-limits.ts';
import { MessageResult } from '../http/views/conversations.ts';
import { UploadFile } from '../http/views/widget.ts';
import { currentAgent } from '../plugins/auth.ts';
import { addNote, reply, type ConversationDeps } from '../domain/conversations.ts';
import { acceptUploads, uploadBodyLimit } from '../domain/uploads.ts';
import type { FileLinks } from '../domain/uploads-links.ts';
import { loadFullMessage } from '../domain/uploads-full-message.ts';
import { attachments } from '../../drizzle/schema/index.ts';

export type AttachmentRoutesDeps = { db: Db; blobs: Pick<BlobStore, 'get'>; dataKeys: TextKeys };

/** Streams a stored attachment as an inert download (server/http/downloads.ts); 404 when it or its blob is gone. */
async function sendAttachment(deps: AttachmentRoutesDeps, id: string, reply: Parameters<typeof sendDownload>[0]) {
  const [row] = await deps.db.select().from(attachments).where(eq(attachments.id, id));
  if (!row) throw notFound('Attachment');
  let stream;
  try {
    stream = await deps.blobs.get(row.blobId);
  } catch {
    throw notFound('Attachment');
  }
  // The sender chose the name, the declared type and the bytes: served as an inert download
  // (server/http/downloads.ts), never with the declared type.
  return sendDownload(reply, stream, { filename: row.filename, inertTypes: INERT_IMAGE_TYPES });
}

export const attachmentRoutes: FastifyPluginAsyncTypebox<{ deps: AttachmentRoutesDeps }> = async (app, { deps }) => {
  app.get(
    '/:id',
    {
      config: { access: 'agent', inboxScoped: 'attachment' },
      schema: {
        tags: ['conversations'],
        summary:
          'Download a file that came with a message: always as a download, as application/octet-stream ' +
          '(or a PNG, JPEG, GIF or WebP image, recognised from its bytes), never rendered by the browser',
        params: IdParams,
        response: {
          200: download(
            'The file, as a download',
            'application/octet-stream',
            'image/png',
            'image/jpeg',
            'image/gif',
            'image/webp',
          ),
          ...errors(401, 404),
        },
      },
    },
    async (request, reply) => sendAttachment(deps, request.params.id, reply),
  );
};

/**
 * Signed expiring links (server/domain/uploads-links.ts), mounted at /api/files: how the widget's visitor sees
 * files, and how an SMS recipient (or Twilio fetching MediaUrl) gets one. 404 for a forged link or a file that
 * is gone (erased, retained away), 410 for a genuine link past its time.
 */
export const fileLinkRoutes: FastifyPluginAsyncTypebox<{
  deps: AttachmentRoutesDeps & { fileLinks: Pick<FileLinks, 'verify'> };
}> = async (app, { deps }) => {
  app.get(
    '/:token/:name',
    {
      // Public (no provider signs these requests): the link carries its own HMAC; a forged one is simply not found.
      config: { access: 'public', rateLimit: rateLimits.widgetRead },
      schema: {
        tags: ['widget'],
        summary:
          'A file through a signed link that expires (FILE_LINK_TTL_HOURS): served like every stored file, ' +
          'as an inert download; 404 for a forged link or an erased file, 410 once expired',
        params: Type.Object({ token: Type.String({ maxLength: 300 }), name: Type.String({ maxLength: 1000 }) }),
        response: {
          200: download(
            'The file, as a download',
            'application/octet-stream',
            'image/png',
            'image/jpeg',
            'image/gif',
            'image/webp',
          ),
          ...errors(404, 410, 429),
        },
      },
    },
    async (request, reply) => {
      const claim = deps.fileLinks.verify(request.params.token);
      if (!claim) throw notFound('File');
      if (claim.expired) throw new DomainError(410, 'link_expired', 'This link has expired; ask for the file again');
      return sendAttachment(deps, claim.attachmentId, reply);
    },
  );
};

const tags = ['conversations'];

/** Agents' messages with files (mounted at /api/conversations next to the text-only reply and note routes). */
export const conversationFileRoutes: FastifyPluginAsyncTypebox<{
  deps: Omit<ConversationDeps, 'messageMaxChars'> & {
    blobs: BlobStore;
    config: Pick<Config, 'messageMaxChars' | 'uploads'>;
  };
}> = async (app, { deps }) => {
  const conversationDeps: ConversationDeps = {
    db: deps.db,
    events: deps.events,
    adapters: deps.adapters,
    blobs: deps.blobs,
    messageMaxChars: deps.config.messageMaxChars,
    dataKeys: deps.dataKeys,
  };
  app.post(
    '/:id/files',
    {
      config: { access: 'agent', inboxScoped: 'conversation' },
      bodyLimit: uploadBodyLimit(deps.config.uploads, deps.config.messageMaxChars),
      schema: {
        tags,
        summary:
          'Reply (or add a note) with files, base64 in JSON: sent as email attachments, Slack uploads, MMS where ' +
          'the Twilio number has it, otherwise a signed link; size, count and type limits from UPLOAD_*, ' +
          'executables refused by their bytes (415)',
        params: IdParams,
        body: Type.Object({
          text: Type.String(),
          kind: Type.Optional(Type.Union([Type.Literal('message'), Type.Literal('note')])),
          files: Type.Array(UploadFile, { minItems: 1 }),
        }),
        response: { 201: MessageResult, ...errors(400, 401, 403, 404, 413, 415) },
      },
    },
    async (request, replyTo) => {
      const { text, kind, files } = request.body;
      const accepted = await acceptUploads(files, deps.config.uploads);
      const send = kind === 'note' ? addNote : reply;
      const message = await send(conversationDeps, request.params.id, currentAgent(request), text, accepted);
      return replyTo.status(201).send({ message });
    },
  );
};

/** A mail read in full (mounted at /api/messages): server/domain/uploads-full-message.ts. */
export const fullMessageRoutes: FastifyPluginAsyncTypebox<{ deps: AttachmentRoutesDeps }> = async (app, { deps }) => {
  app.get(
    '/:id/full',
    {
      config: { access: 'agent', inboxScoped: 'message' },
      schema: {
        tags,
        summary:
          'A message in full: its sanitized HTML and its whole text (a mail cut at MESSAGE_MAX_CHARS or sent as ' +
          'HTML only), and the attachment holding the original mail when one was kept',
        params: IdParams,
        response: {
          200: Type.Object({
            html: Type.Union([Type.String(), Type.Null()]),
            text: Type.String(),
            originalId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
            /** Present when the text was sealed with a person's data key that no longer exists (text empty). */
            textUnreadable: Type.Optional(Type.Literal(true)),
          }),
          ...errors(401, 404),
        },
      },
    },
    async (request) => loadFullMessage(deps, request.params.id),
  );
};
