import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import type { BlobStore } from '../blobs/store.ts';
import { IdParams, errors } from '../http/common.ts';
import { notFound } from '../domain/errors.ts';
import { attachments } from '../../drizzle/schema/index.ts';

/** RFC 6266 filename: an ASCII fallback plus the exact UTF-8 name. */
function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

export type AttachmentRoutesDeps = { db: Db; blobs: Pick<BlobStore, 'get'> };

export const attachmentRoutes: FastifyPluginAsyncTypebox<{ deps: AttachmentRoutesDeps }> = async (app, { deps }) => {
  app.get(
    '/:id',
    {
      config: { access: 'agent', inboxScoped: 'attachment' },
      schema: {
        tags: ['conversations'],
        summary: 'Download a file that came with a message (always as a download, never rendered by the browser)',
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
      // A mail's HTML or SVG attachment opened in our origin could run script:
      // force a download, no sniffing, no scripts.
      return reply
        .header('content-type', row.contentType.includes('/') ? row.contentType : 'application/octet-stream')
        .header('content-disposition', contentDisposition(row.filename))
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('cache-control', 'private, no-store')
        .send(stream);
    },
  );
};
