import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { IdParams, errors } from '../http/common.ts';
import { inboxes } from '../../drizzle/schema/index.ts';
import { currentAgent } from '../plugins/auth.ts';
import { appendAudit } from '../privacy/audit.ts';
import { notFound } from '../domain/errors.ts';
import type { InboxNameCache } from '../domain/inbox-names.ts';
import { PiiPolicySchema, piiPolicyOf } from '../privacy/pii/policy.ts';

export type PiiPolicyRoutesDeps = { db: Db; inboxNames: InboxNameCache };

/**
 * An inbox's automatic PII policy (admin): per detector, 'redact' (removed before storage, every channel, imports
 * included) or 'flag' (kept, marked for agents). Applies to messages arriving after the change.
 */
export const piiPolicyRoutes: FastifyPluginAsyncTypebox<{ deps: PiiPolicyRoutesDeps }> = async (app, { deps }) => {
  const admin = { access: 'admin' as const, inboxScoped: false as const };
  const tags = ['inboxes'];

  app.get(
    '/:id/pii-policy',
    {
      config: admin,
      schema: {
        tags,
        summary: "An inbox's PII policy: for each detector, redact before storage or flag to agents",
        params: IdParams,
        response: { 200: PiiPolicySchema, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const [row] = await deps.db
        .select({ settings: inboxes.settings })
        .from(inboxes)
        .where(eq(inboxes.id, request.params.id));
      if (!row) throw notFound('Inbox');
      return piiPolicyOf(row.settings);
    },
  );

  app.put(
    '/:id/pii-policy',
    {
      config: admin,
      schema: {
        tags,
        summary: "Set an inbox's PII policy (applies to messages that arrive from now on)",
        params: IdParams,
        body: PiiPolicySchema,
        response: { 200: PiiPolicySchema, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const agent = currentAgent(request);
      const policy = request.body;
      await deps.db.transaction(async (tx) => {
        const [row] = await tx
          .update(inboxes)
          .set({ settings: sql`${inboxes.settings} || jsonb_build_object('pii', ${JSON.stringify(policy)}::jsonb)` })
          .where(eq(inboxes.id, request.params.id))
          .returning({ id: inboxes.id });
        if (!row) throw notFound('Inbox');
        await appendAudit(tx, {
          actorKind: 'agent',
          actorId: agent.id,
          action: 'inbox.pii_policy_set',
          targetType: 'inbox',
          targetId: row.id,
          details: { ...policy },
        });
      });
      deps.inboxNames.forget(request.params.id);
      return policy;
    },
  );
};
