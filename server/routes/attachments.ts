import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { eq } from 'drizzle-orm';
import type { Services } from '../services.ts';
import { IdParams, errors } from '../http/common.ts';
import { attachments } from '../../drizzle/schema/index.ts';
import { notFound } from '../domain/errors.ts';

/** RFC 6266 / 5987: an ASCII fallback and the exact UTF-8 name. */
function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

export const attachmentRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get(
    '/:id',
    {
      config: { access: 'agent' },
      schema: {
        tags: ['conversations'],
        summary: 'The content of a message attachment (always as a download)',
        params: IdParams,
        response: { 200: Type.Unsafe<unknown>({ type: 'string', format: 'binary' }), ...errors(401, 404) },
      },
    },
    async (request, reply) => {
      const [file] = await services.db.select().from(attachments).where(eq(attachments.id, request.params.id));
      if (!file) throw notFound('Attachment');
      const stream = await services.blobs.get(file.blobId).catch(() => {
        throw notFound('Attachment');
      });
      // Customers' files are served from our own origin: never rendered there, never sniffed into HTML.
      return reply
        .type(file.contentType)
        .header('content-length', file.size)
        .header('content-disposition', contentDisposition(file.filename))
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "sandbox; default-src 'none'")
        .header('cache-control', 'private, no-store')
        .send(stream);
    },
  );
};
