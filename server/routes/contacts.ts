import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Services } from '../services.ts';
import { ChannelKindSchema, ConsentEventView, ConsentPurposeSchema, ConsentState, ContactView } from '../http/views.ts';
import { IdParams, decodeCursor, encodeCursor, errors } from '../http/common.ts';
import { getContact, listContacts, rectifyContact } from '../domain/contacts.ts';
import { consentHistory, currentConsent, recordConsent } from '../domain/consent.ts';
import { notFound } from '../domain/errors.ts';
import { NOTICE_POLICY_VERSION, NOTICE_TEXT_HASH } from '../domain/notice.ts';
import { currentAgent } from '../plugins/auth.ts';
import { exportContact } from '../privacy/export.ts';
import { eraseContact } from '../privacy/erase.ts';
import { contacts } from '../../drizzle/schema/index.ts';
import { eq } from 'drizzle-orm';

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
        response: {
          200: Type.Object({
            items: Type.Array(ContactListItem),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errors(400, 401),
        },
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
      return {
        items: page.items,
        nextCursor: page.next ? encodeCursor(page.next.createdAt.toISOString(), page.next.id) : null,
      };
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

  const NullableText = (max: number) => Type.Union([Type.String({ minLength: 1, maxLength: max }), Type.Null()]);
  app.patch(
    '/:id',
    {
      config: { access: 'agent' },
      schema: {
        tags: ['contacts', 'privacy'],
        summary: 'Rectify contact details (Art. 16); audited by field name, never value',
        params: IdParams,
        body: Type.Object(
          {
            name: Type.Optional(NullableText(200)),
            email: Type.Optional(NullableText(320)),
            phone: Type.Optional(NullableText(40)),
          },
          { minProperties: 1, additionalProperties: false },
        ),
        response: { 200: ContactView, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => rectifyContact(services.db, request.params.id, request.body, currentAgent(request).id),
  );

  const ConsentLedger = Type.Object({ current: Type.Array(ConsentState), history: Type.Array(ConsentEventView) });
  const ledger = async (id: string) => ({
    current: await currentConsent(services.db, id),
    history: await consentHistory(services.db, id),
  });
  const requireContact = async (id: string) => {
    if (!(await services.db.select({ id: contacts.id }).from(contacts).where(eq(contacts.id, id))).length)
      throw notFound('Contact');
  };

  app.get(
    '/:id/consent',
    {
      config: { access: 'agent' },
      schema: {
        tags: ['contacts', 'privacy'],
        summary: 'Current consent per purpose and the full ledger',
        params: IdParams,
        response: { 200: ConsentLedger, ...errors(401, 404) },
      },
    },
    async (request) => {
      await requireContact(request.params.id);
      return ledger(request.params.id);
    },
  );

  app.post(
    '/:id/consent',
    {
      config: { access: 'agent' },
      schema: {
        tags: ['contacts', 'privacy'],
        summary: 'Record consent given or withdrawn on another channel, with evidence',
        params: IdParams,
        body: Type.Object({
          purpose: ConsentPurposeSchema,
          granted: Type.Boolean(),
          sourceChannel: ChannelKindSchema,
          evidence: Type.String({
            minLength: 1,
            maxLength: 500,
            description: 'Where and how it was given, e.g. a message id',
          }),
        }),
        response: { 201: ConsentLedger, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await requireContact(request.params.id);
      const agent = currentAgent(request);
      await services.db.transaction((tx) =>
        recordConsent(tx, {
          contactId: request.params.id,
          purpose: request.body.purpose,
          granted: request.body.granted,
          policyVersion: NOTICE_POLICY_VERSION,
          textHash: NOTICE_TEXT_HASH,
          sourceChannel: request.body.sourceChannel,
          evidence: { recordedBy: 'agent', statement: request.body.evidence },
          recordedByAgentId: agent.id,
          actor: { kind: 'agent', id: agent.id },
        }),
      );
      services.events.publish('consent.changed', { purpose: request.body.purpose });
      return reply.status(201).send(await ledger(request.params.id));
    },
  );

  app.get(
    '/:id/export',
    {
      config: { access: 'agent' },
      schema: {
        tags: ['contacts', 'privacy'],
        summary: 'Export everything about the contact (Art. 15/20) as a streamed zip: data.json, index.html, files',
        params: IdParams,
        querystring: Type.Object({
          progress: Type.Optional(
            Type.String({
              format: 'uuid',
              description: 'Receive privacy:progress events on the agent socket under this id',
            }),
          ),
        }),
        response: { 200: Type.Unsafe<unknown>({ type: 'string', format: 'binary' }), ...errors(401, 404) },
      },
    },
    async (request, reply) => {
      const agent = currentAgent(request);
      const jobId = request.query.progress;
      const { stream, filename } = await exportContact(
        services,
        request.params.id,
        { kind: 'agent', id: agent.id },
        (done, total) => {
          if (jobId)
            services.events.publish('privacy.progress', {
              agentId: agent.id,
              jobId,
              kind: 'export',
              done,
              total,
              finished: done >= total,
            });
        },
      );
      return reply
        .type('application/zip')
        .header('content-disposition', `attachment; filename="${filename}"`)
        .send(stream);
    },
  );

  app.post(
    '/:id/erase',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['contacts', 'privacy'],
        summary: 'Erase the contact everywhere (Art. 17); 409 while a legal hold is active',
        params: IdParams,
        body: Type.Object({ confirm: Type.Literal(true) }),
        response: {
          200: Type.Object({
            receipt: Type.Object({
              contactId: Type.String(),
              erasedAt: Type.String(),
              database: Type.Record(Type.String(), Type.Integer()),
              blobs: Type.Integer(),
              providerRecordings: Type.Integer(),
              mentionsRedacted: Type.Integer(),
              auditEntryId: Type.Integer(),
            }),
          }),
          ...errors(400, 401, 403, 404, 409, 502),
        },
      },
    },
    async (request) => ({
      receipt: await eraseContact(services, request.params.id, { kind: 'agent', id: currentAgent(request).id }),
    }),
  );
};
