import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../db/client.ts';
import { RestrictionView } from '../http/views.ts';
import { IdParams, errors } from '../http/common.ts';
import { currentAgent } from '../plugins/auth.ts';
import { liftRestriction, placeRestriction } from '../privacy/restriction.ts';
import { restrictionKinds, restrictionPurposes } from '../../drizzle/schema/restrictions.ts';

const tags = ['privacy'];
const Reason = Type.String({ minLength: 3, maxLength: 500 });
const RestrictionBody = Type.Object({
  kind: Type.Enum([...restrictionKinds]),
  /** An objection's purposes; ignored for a restriction, which covers all of them. */
  purposes: Type.Optional(Type.Array(Type.Enum([...restrictionPurposes]), { maxItems: restrictionPurposes.length })),
  reason: Reason,
  requestId: Type.Optional(Type.String({ format: 'uuid' })),
});

/** Restriction (Art. 18) and objection (Art. 21) on a contact: /api/privacy. */
export const restrictionRoutes: FastifyPluginAsyncTypebox<{ deps: { db: Db } }> = async (app, { deps }) => {
  const admin = { access: 'admin' as const };

  app.post(
    '/contacts/:id/restrictions',
    {
      config: admin,
      schema: {
        tags,
        summary:
          'Restrict processing of a contact (Art. 18) or record an objection (Art. 21): the data is kept but left ' +
          'out of the bot, analytics, processor transfers and sendings the law does not require (a restriction), ' +
          'or of the purposes objected to; with requestId, closes that request as fulfilled',
        params: IdParams,
        body: RestrictionBody,
        response: { 201: Type.Object({ restriction: RestrictionView }), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) =>
      reply.status(201).send({
        restriction: await placeRestriction(deps.db, request.params.id, request.body, currentAgent(request).id),
      }),
  );

  app.post(
    '/restrictions/:id/lift',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Lift a restriction or objection, with the reason (e.g. the accuracy was verified)',
        params: IdParams,
        body: Type.Object({ reason: Reason }),
        response: { 200: Type.Object({ restriction: RestrictionView }), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => ({
      restriction: await liftRestriction(deps.db, request.params.id, request.body.reason, currentAgent(request).id),
    }),
  );
};
