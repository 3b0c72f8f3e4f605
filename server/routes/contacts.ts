import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ContactView } from '../http/views.ts';
import { ConsentLedger, ConsentRecordBody, ContactPage, ContactPatch, ErasureReceipt } from '../http/views/privacy.ts';
import { IdParams, decodeCursor, download, encodeCursor, errors } from '../http/common.ts';
import { getContact, listContacts } from '../domain/contacts.ts';
import { mergeContacts, mergeSuggestions } from '../domain/contact-merge.ts';
import type { DomainEventBus } from '../domain/events.ts';
import { consentHistory, currentConsent, recordConsent } from '../privacy/consent.ts';
import { rectifyContact } from '../privacy/rectify.ts';
import { notFound } from '../domain/errors.ts';
import type { NoticeDeps } from '../privacy/notice.ts';
import { currentAgent } from '../plugins/auth.ts';
import { exportContact } from '../privacy/export.ts';
import { eraseContact, type EraseDeps } from '../privacy/erase.ts';
import { contacts } from '../../drizzle/schema/index.ts';
import { eq } from 'drizzle-orm';

/** What the contact routes need: erasure's dependencies (a superset of export's and consent's). */
export type ContactRoutesDeps = EraseDeps & NoticeDeps & { events: Pick<DomainEventBus, 'publish'> };

export const contactRoutes: FastifyPluginAsyncTypebox<{ deps: ContactRoutesDeps }> = async (app, { deps }) => {
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
        response: { 200: ContactPage, ...errors(400, 401) },
      },
    },
    async (request) => {
      const { q, cursor, limit = 25 } = request.query;
      let after;
      if (cursor) {
        const [at, id] = decodeCursor(cursor, 2);
        after = { createdAt: new Date(at!), id: id! };
      }
      const page = await listContacts(deps.db, { q, cursor: after, limit }, currentAgent(request).inboxIds);
      return {
        items: page.items,
        nextCursor: page.next ? encodeCursor(page.next.createdAt.toISOString(), page.next.id) : null,
      };
    },
  );

  app.get(
    '/:id',
    {
      config: { access: 'agent', inboxScoped: 'contact' },
      schema: {
        tags: ['contacts'],
        summary: 'A contact with identities, current consent per purpose and conversations',
        params: IdParams,
        response: { 200: ContactView, ...errors(400, 401, 404) },
      },
    },
    async (request) => getContact(deps.db, request.params.id, currentAgent(request).inboxIds),
  );

  app.patch(
    '/:id',
    {
      config: { access: 'agent', inboxScoped: 'contact' },
      schema: {
        tags: ['contacts', 'privacy'],
        summary: 'Rectify contact details (Art. 16); audited by field name, never value',
        params: IdParams,
        body: ContactPatch,
        response: { 200: ContactView, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const agent = currentAgent(request);
      return rectifyContact(deps, request.params.id, request.body, agent.id, agent.inboxIds);
    },
  );

  const ledger = async (id: string) => ({
    current: await currentConsent(deps.db, id),
    history: await consentHistory(deps, id),
  });
  const requireContact = async (id: string) => {
    if (!(await deps.db.select({ id: contacts.id }).from(contacts).where(eq(contacts.id, id))).length)
      throw notFound('Contact');
  };

  app.get(
    '/:id/consent',
    {
      config: { access: 'agent', inboxScoped: 'contact' },
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
      config: { access: 'agent', inboxScoped: 'contact' },
      schema: {
        tags: ['contacts', 'privacy'],
        summary: 'Record consent given or withdrawn on another channel, with evidence',
        params: IdParams,
        body: ConsentRecordBody,
        response: { 201: ConsentLedger, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await requireContact(request.params.id);
      const agent = currentAgent(request);
      await recordConsent(deps, {
        contactId: request.params.id,
        purpose: request.body.purpose,
        granted: request.body.granted,
        policyVersion: deps.notice.policyVersion,
        textHash: deps.notice.textHash,
        sourceChannel: request.body.sourceChannel,
        evidence: { recordedBy: 'agent', statement: request.body.evidence },
        recordedByAgentId: agent.id,
        actor: { kind: 'agent', id: agent.id },
      });
      return reply.status(201).send(await ledger(request.params.id));
    },
  );

  app.get(
    '/:id/export',
    {
      config: { access: 'agent', inboxScoped: 'wholeContact' },
      schema: {
        tags: ['contacts', 'privacy'],
        summary:
          'The formal access copy (Art. 15/20) as a streamed zip: data.json, index.html, files; everything about ' +
          'the contact, internal notes and timeline events included',
        params: IdParams,
        querystring: Type.Object({
          progress: Type.Optional(
            Type.String({
              format: 'uuid',
              description: 'Receive privacy:progress events on the agent socket under this id',
            }),
          ),
        }),
        response: {
          200: download('ZIP archive: export.json, export.html and the files', 'application/zip'),
          ...errors(401, 404),
        },
      },
    },
    async (request, reply) => {
      const agent = currentAgent(request);
      const jobId = request.query.progress;
      const { stream, filename } = await exportContact(
        deps,
        request.params.id,
        { kind: 'agent', id: agent.id },
        (done, total) => {
          if (jobId)
            deps.events.publish('privacy.progress', {
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
          200: Type.Object({ receipt: ErasureReceipt }),
          ...errors(400, 401, 403, 404, 409, 502),
        },
      },
    },
    async (request) => ({
      receipt: await eraseContact(deps, request.params.id, { kind: 'agent', id: currentAgent(request).id }),
    }),
  );

  const Uuid = Type.String({ format: 'uuid' });
  const Nullable = Type.Union([Type.String(), Type.Null()]);
  app.get(
    '/:id/merge-suggestions',
    {
      config: { access: 'agent', inboxScoped: 'contact' },
      schema: {
        tags: ['contacts'],
        summary: 'Other contacts sharing an email or phone with this one (any channel, any phone format)',
        params: IdParams,
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                id: Uuid,
                name: Nullable,
                email: Nullable,
                phone: Nullable,
                matchedOn: Type.Array(Type.Union([Type.Literal('email'), Type.Literal('phone')])),
              }),
            ),
          }),
          ...errors(400, 401, 404),
        },
      },
    },
    async (request) => ({
      items: await mergeSuggestions(deps.db, request.params.id, currentAgent(request).inboxIds),
    }),
  );

  app.post(
    '/:id/merge',
    {
      config: { access: 'agent', inboxScoped: 'contact' },
      schema: {
        tags: ['contacts', 'privacy'],
        summary:
          'Merge another contact into this one: identities, conversations, consent ledger move here; audited; ' +
          '409 while a legal hold binds either contact',
        params: IdParams,
        body: Type.Object({ otherContactId: Uuid, confirm: Type.Literal(true) }),
        response: {
          200: Type.Object({
            contact: ContactView,
            mergedContactId: Uuid,
            moved: Type.Object({
              identities: Type.Integer(),
              conversations: Type.Integer(),
              consentEvents: Type.Integer(),
            }),
          }),
          ...errors(400, 401, 404, 409),
        },
      },
    },
    async (request) => {
      const agent = currentAgent(request);
      const result = await mergeContacts(
        deps,
        request.params.id,
        request.body.otherContactId,
        agent.id,
        agent.inboxIds,
      );
      return {
        contact: await getContact(deps.db, result.contactId, agent.inboxIds),
        mergedContactId: result.mergedContactId,
        moved: result.moved,
      };
    },
  );
};
