import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import type { BlobStore } from '../blobs/store.ts';
import { IdParams, errors } from '../http/common.ts';
import { notFound } from '../domain/errors.ts';
import { INERT_IMAGE_TYPES, sendDownload } from '../http/downloads.ts';
import { attachments } from '../../drizzle/schema/index.ts';

export type AttachmentRoutesDeps = { db: Db; blobs: Pick<BlobStore, 'get'> };

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
        response: { 200: Type.Unknown({ description: 'the file' }), ...errors(401, 404) },
      },
    },
    async (request, reply) => {
      const [row] = await deps.db.select().from(attachments).where(eq(attachments.id, request.params.id));
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
    },
  );
};
