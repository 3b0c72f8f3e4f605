import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Services } from '../services.ts';
import { ContactView } from '../http/views.ts';
import { IdParams, decodeCursor, encodeCursor, errors } from '../http/common.ts';
import { getContact, listContacts } from '../domain/contacts.ts';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const ContactListItem = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Nullable(Type.String()),
  email: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  lastSeenAt: Type.String({ format: 'date-time' }),
});

export const contactRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get(
    '/',
    {
      config: { access: 'agent' },
      schema: {
        tags: ['contacts'],
        summary: 'List contacts, newest first; q searches name, email and phone',
        querystring: Type.Object({
          q: Type.Optional(Type.String({ maxLength: 200 })),
          cursor: Type.Optional(Type.String({ maxLength: 200 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 25 })),
        }),
        response: { 200: Type.Object({ items: Type.Array(ContactListItem), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errors(400, 401) },
      },
    },
    async (request) => {
      const { q, cursor, limit = 25 } = request.query;
      let after;
      if (cursor) {
        const [at, id] = decodeCursor(cursor, 2);
        after = { createdAt: new Date(at!), id: id! };
      }
      const page = await listContacts(services.db, { q, cursor: after, limit });
      return { items: page.items, nextCursor: page.next ? encodeCursor(page.next.createdAt.toISOString(), page.next.id) : null };
    },
  );

  app.get(
    '/:id',
    {
      config: { access: 'agent' },
      schema: {
        tags: ['contacts'],
        summary: 'A contact with identities, current consent per purpose and conversations',
        params: IdParams,
        response: { 200: ContactView, ...errors(400, 401, 404) },
      },
    },
    async (request) => getContact(services.db, request.params.id),
  );
};
