import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { LegalHoldView } from '../http/views.ts';
import {
  AuditPage,
  AuditVerification,
  LegalHoldBody,
  ProcessingRecordView,
  RetentionClassSchema,
  RetentionPolicyView,
  RetentionPreview,
  SweepResult,
} from '../http/views/privacy.ts';
import { IdParams, errors } from '../http/common.ts';
import { currentAgent } from '../plugins/auth.ts';
import { listHolds, placeHold, releaseHold } from '../privacy/legal-holds.ts';
import { getPolicies, previewRetention, setPolicy, sweepRetention, type RetentionDeps } from '../privacy/retention.ts';
import { listAudit, verifyAuditChain } from '../privacy/audit-verify.ts';
import type { AuditAnchor } from '../privacy/audit-anchor.ts';
import { buildRecord, type RecordDeps } from '../privacy/record.ts';
import { renderRecordHtml } from '../privacy/record-html.ts';

const tags = ['privacy'];

/** What the privacy admin routes need: the sweep's and the record's dependencies. */
export type PrivacyRoutesDeps = RetentionDeps & RecordDeps & { auditAnchor: Pick<AuditAnchor, 'keys' | 'path'> };

export const privacyRoutes: FastifyPluginAsyncTypebox<{ deps: PrivacyRoutesDeps }> = async (app, { deps }) => {
  const admin = { access: 'admin' as const };

  app.get(
    '/legal-holds',
    {
      config: admin,
      schema: {
        tags,
        summary: 'All legal holds',
        response: { 200: Type.Object({ items: Type.Array(LegalHoldView) }), ...errors(401, 403) },
      },
    },
    async () => ({
      items: await listHolds(deps.db),
    }),
  );

  app.post(
    '/legal-holds',
    {
      config: admin,
      schema: {
        tags,
        summary:
          'Place a legal hold on a contact or a conversation: erasure, redaction, recording deletion and ' +
          'retention answer 409 legal_hold (or skip it) until it is released',
        body: LegalHoldBody,
        response: { 201: Type.Object({ hold: LegalHoldView }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) =>
      reply.status(201).send({ hold: await placeHold(deps.db, request.body, currentAgent(request).id) }),
  );

  app.post(
    '/legal-holds/:id/release',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Release a legal hold',
        params: IdParams,
        response: { 200: Type.Object({ hold: LegalHoldView }), ...errors(401, 403, 404, 409) },
      },
    },
    async (request) => ({ hold: await releaseHold(deps.db, request.params.id, currentAgent(request).id) }),
  );

  app.get(
    '/retention',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Retention policies per data class',
        response: { 200: Type.Object({ policies: Type.Array(RetentionPolicyView) }), ...errors(401, 403) },
      },
    },
    async () => ({
      policies: await getPolicies(deps.db),
    }),
  );

  app.put(
    '/retention/:dataClass',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Set the policy of one data class',
        params: Type.Object({ dataClass: RetentionClassSchema }),
        body: Type.Object({ enabled: Type.Boolean(), retainDays: Type.Integer({ minimum: 1, maximum: 3650 }) }),
        response: { 200: Type.Object({ policy: RetentionPolicyView }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => ({
      policy: await setPolicy(deps.db, request.params.dataClass, request.body, currentAgent(request).id),
    }),
  );

  app.get(
    '/retention/preview',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Dry run: what a sweep would delete now (nothing is deleted)',
        response: { 200: RetentionPreview, ...errors(401, 403) },
      },
    },
    async () => previewRetention(deps),
  );

  app.post(
    '/retention/sweep',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Run the retention sweep now (it also runs every minute)',
        response: { 200: SweepResult, ...errors(401, 403) },
      },
    },
    async () => sweepRetention(deps),
  );

  app.get(
    '/audit',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Audit log, newest first',
        querystring: Type.Object({
          before: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
        }),
        response: { 200: AuditPage, ...errors(400, 401, 403) },
      },
    },
    async (request) => listAudit(deps.db, request.query.before, request.query.limit ?? 50),
  );

  app.get(
    '/audit/verify',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Verify the hash chain of the audit log; reports the first broken link',
        response: { 200: AuditVerification, ...errors(401, 403) },
      },
    },
    async () => verifyAuditChain(deps.db, deps.auditAnchor),
  );

  app.get(
    '/record',
    {
      config: admin,
      schema: {
        tags,
        summary:
          'Article 30 record and data map, generated from the catalog and the live configuration ' +
          '(?format=html for a printable page)',
        querystring: Type.Object({ format: Type.Optional(Type.Enum(['json', 'html'])) }),
        // The JSON shape is documented; ?format=html sends the same record as a page (a string).
        response: { 200: Type.Unsafe<ProcessingRecordView | string>(ProcessingRecordView), ...errors(401, 403) },
      },
    },
    async (request, reply) => {
      const record = await buildRecord(deps);
      if (request.query.format === 'html') return reply.type('text/html').send(renderRecordHtml(record));
      return record;
    },
  );
};
