import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorView, LegalHoldView } from '../http/views.ts';
import {
  AuditPage,
  AuditVerification,
  LegalHoldBody,
  ProcessingRecordView,
  RetentionClassSchema,
  RetentionPolicyBody,
  RetentionPolicyView,
  RetentionPreview,
  RetentionProposal,
  RetentionProposalBody,
  SweepResult,
} from '../http/views/privacy.ts';
import { IdParams, errors, media } from '../http/common.ts';
import { currentAgent } from '../plugins/auth.ts';
import { listHolds, placeHold, releaseHold } from '../privacy/legal-holds.ts';
import {
  RetentionConfirmationRequired,
  applyPolicyNow,
  cancelPendingPolicy,
  getPolicies,
  previewRetention,
  proposeRetention,
  savePolicy,
  sweepRetention,
  type RetentionDeps,
} from '../privacy/retention.ts';
import type { Config } from '../config.ts';
import { listAudit, verifyAuditChain } from '../privacy/audit-verify.ts';
import type { AuditAnchor } from '../privacy/audit-anchor.ts';
import { buildRecord, type RecordDeps } from '../privacy/record.ts';
import { renderRecordHtml } from '../privacy/record-html.ts';
import { staffLocale, staffLocaleQuery } from '../http/accept-language.ts';
import { findPeople } from '../domain/contact-merge.ts';

const tags = ['privacy'];

/**
 * What the privacy admin routes need: the sweep's and the record's dependencies, and the server's clock (the
 * retention routes date grace periods, dry runs and sweeps by it, as the scheduled sweep does).
 */
export type PrivacyRoutesDeps = RetentionDeps &
  RecordDeps & {
    config: Pick<Config, 'retentionGraceHours'>;
    auditAnchor: Pick<AuditAnchor, 'keys' | 'path'>;
    clock: () => Date;
  };

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
        summary: 'Retention policies per data class, with the grace period a tightened policy waits (hours)',
        response: {
          200: Type.Object({ policies: Type.Array(RetentionPolicyView), graceHours: Type.Integer() }),
          ...errors(401, 403),
        },
      },
    },
    async () => ({
      policies: await getPolicies(deps.db, deps.clock()),
      graceHours: deps.config.retentionGraceHours,
    }),
  );

  const DataClassParams = Type.Object({ dataClass: RetentionClassSchema });
  app.put(
    '/retention/:dataClass',
    {
      config: admin,
      schema: {
        tags,
        summary:
          'Set the policy of one data class. A value that deletes more than the one in force (turning it on, ' +
          'fewer days) needs confirm: true, else 400 confirmation_required with the dry run in `preview`; it ' +
          'takes effect after the grace period (RETENTION_GRACE_HOURS), cancellable until then',
        params: DataClassParams,
        body: RetentionPolicyBody,
        response: {
          200: Type.Object({ policy: RetentionPolicyView }),
          400: Type.Object({ ...ErrorView.properties, preview: Type.Optional(RetentionProposal) }),
          ...errors(401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      try {
        const { dataClass } = request.params;
        const agentId = currentAgent(request).id;
        return {
          policy: await savePolicy(
            deps,
            dataClass,
            request.body,
            agentId,
            deps.config.retentionGraceHours,
            deps.clock(),
          ),
        };
      } catch (err) {
        if (!(err instanceof RetentionConfirmationRequired)) throw err;
        const { code, message, proposal } = err;
        return reply.status(400).send({ code, message, requestId: String(request.id), preview: proposal });
      }
    },
  );

  app.post(
    '/retention/:dataClass/cancel',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Cancel a change waiting out its grace period: the value in force before it stays',
        params: DataClassParams,
        response: { 200: Type.Object({ policy: RetentionPolicyView }), ...errors(401, 403, 404, 409) },
      },
    },
    async (request) => ({
      policy: await cancelPendingPolicy(deps.db, request.params.dataClass, currentAgent(request).id, deps.clock()),
    }),
  );

  app.post(
    '/retention/:dataClass/apply-now',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Put a change waiting out its grace period in force now (confirm: true): the next sweep deletes',
        params: DataClassParams,
        body: Type.Object({ confirm: Type.Literal(true) }),
        response: { 200: Type.Object({ policy: RetentionPolicyView }), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => ({
      policy: await applyPolicyNow(deps.db, request.params.dataClass, currentAgent(request).id, deps.clock()),
    }),
  );

  app.get(
    '/retention/preview',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Dry run: what a sweep would delete now under the policies in force (nothing is deleted)',
        response: { 200: RetentionPreview, ...errors(401, 403) },
      },
    },
    async () => previewRetention(deps, deps.clock()),
  );

  app.post(
    '/retention/preview',
    {
      config: admin,
      schema: {
        tags,
        summary:
          'Dry run of proposed values, nothing saved: what a sweep would delete now if they were in force, ' +
          'and whether saving each needs confirmation and when it would take effect',
        body: RetentionProposalBody,
        response: { 200: RetentionProposal, ...errors(400, 401, 403) },
      },
    },
    async (request) => proposeRetention(deps, request.body.policies, deps.config.retentionGraceHours, deps.clock()),
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
    async () => sweepRetention(deps, deps.clock()),
  );

  const Nullable = Type.Union([Type.String(), Type.Null()]);
  app.get(
    '/people',
    {
      config: { access: 'manager' },
      schema: {
        tags,
        summary:
          'Find this person (for an access or erasure request): every contact matching a name, email or phone ' +
          '(any format), and how many messages mention the term',
        querystring: Type.Object({ q: Type.String({ minLength: 2, maxLength: 200 }) }),
        response: {
          200: Type.Object({
            contacts: Type.Array(
              Type.Object({
                id: Type.String({ format: 'uuid' }),
                name: Nullable,
                email: Nullable,
                phone: Nullable,
                identities: Type.Array(
                  Type.Object({ kind: Type.String(), address: Type.Union([Type.String(), Type.Null()]) }),
                ),
                conversations: Type.Integer(),
                latestConversationId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
                messagesWritten: Type.Integer(),
              }),
            ),
            mentions: Type.Integer({ description: 'messages that mention the search (all of them, up to 2,000 read)' }),
            mentionItems: Type.Array(
              Type.Object({
                messageId: Type.String({ format: 'uuid' }),
                conversationId: Type.String({ format: 'uuid' }),
                channel: Type.String(),
                occurredAt: Type.String({ format: 'date-time' }),
                contactId: Type.String({ format: 'uuid' }),
                contactName: Nullable,
                snippet: Type.String(),
              }),
              { description: 'the newest 200 of them, with where they are' },
            ),
            mentionsMore: Type.Boolean({ description: 'more than 2,000 candidates: search for something narrower' }),
          }),
          ...errors(400, 401, 403),
        },
      },
    },
    async (request) => findPeople(deps.db, deps.dataKeys, request.query.q),
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
        querystring: Type.Object({ format: Type.Optional(Type.Enum(['json', 'html'])), locale: staffLocaleQuery }),
        response: {
          200: media('The record as JSON, or as a printable page with ?format=html', {
            'application/json': ProcessingRecordView,
            'text/html': Type.String(),
          }),
          ...errors(401, 403),
        },
      },
    },
    async (request, reply) => {
      const locale = staffLocale(request, request.query.locale);
      const record = await buildRecord(deps, locale);
      if (request.query.format === 'html') return reply.type('text/html').send(renderRecordHtml(record, locale));
      return record;
    },
  );
};
