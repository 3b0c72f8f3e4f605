import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { IdParams, errors, media } from '../http/common.ts';
import { currentAgent } from '../plugins/auth.ts';
import {
  AffectedPeople,
  BreachFields,
  BreachList,
  BreachPatch,
  BreachView,
  DpiaSave,
  DpiaVersionList,
  DpiaView,
  FinderQuery,
} from '../http/views/breaches.ts';
import { getBreach, listBreaches, recordBreach, updateBreach } from '../privacy/breaches.ts';
import { findAffected, type FinderDeps } from '../privacy/breach-finder.ts';
import { breachRegisterCsv, breachRegisterHtml } from '../privacy/breach-export.ts';
import { currentDpia, dpiaVersion, draftView, listDpiaVersions, saveDpia, type DpiaDeps } from '../privacy/dpia.ts';
import { staffLocale, staffLocaleQuery } from '../http/accept-language.ts';
import { renderDpiaHtml } from '../privacy/dpia-html.ts';
import { appendAudit } from '../privacy/audit.ts';

const tags = ['privacy'];
const admin = { access: 'admin' as const };
const actorOf = (request: Parameters<typeof currentAgent>[0]) => ({
  actorKind: 'agent' as const,
  actorId: currentAgent(request).id,
});

/** The breach register (admins): /api/privacy/breaches. */
export const breachRoutes: FastifyPluginAsyncTypebox<{ deps: FinderDeps }> = async (app, { deps }) => {
  const One = Type.Object({ breach: BreachView });

  app.get(
    '/',
    {
      config: admin,
      schema: {
        tags,
        summary: 'The breach register, newest discovery first, each with its 72-hour clock to the authority',
        response: { 200: BreachList, ...errors(401, 403) },
      },
    },
    async () => ({ items: await listBreaches(deps) }),
  );

  app.get(
    '/export',
    {
      config: admin,
      schema: {
        tags,
        summary:
          'The register for the supervisory authority (Art. 33(5)): JSON, CSV or a printable page in the ' +
          'admin’s language (?locale=, else the agent’s preference, else Accept-Language)',
        querystring: Type.Object({
          format: Type.Optional(Type.Enum(['json', 'csv', 'html'])),
          locale: staffLocaleQuery,
        }),
        response: {
          200: media('The register as JSON, as CSV (?format=csv) or as a printable page (?format=html)', {
            'application/json': BreachList,
            'text/csv': Type.String(),
            'text/html': Type.String(),
          }),
          ...errors(400, 401, 403),
        },
      },
    },
    async (request, reply) => {
      const format = request.query.format ?? 'json';
      const locale = staffLocale(request, request.query.locale);
      const items = await listBreaches(deps);
      await deps.db.transaction((tx) =>
        appendAudit(tx, {
          ...actorOf(request),
          action: 'breach.register_exported',
          targetType: 'breach_register',
          targetId: null,
          details: { format, breaches: items.length },
        }),
      );
      const day = deps.clock().toISOString().slice(0, 10);
      if (format === 'csv')
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="breach-register-${day}.csv"`)
          .send(breachRegisterCsv(items, locale));
      if (format === 'html')
        return reply
          .type('text/html')
          .send(breachRegisterHtml(items, deps.config.controllerName, deps.clock(), locale));
      return reply.header('content-disposition', `attachment; filename="breach-register-${day}.json"`).send({ items });
    },
  );

  app.post(
    '/',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Record a breach: what happened, when it was discovered, categories, numbers, consequences, measures',
        body: BreachFields,
        response: { 201: One, ...errors(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const breach = await recordBreach(deps, request.body, currentAgent(request).id, actorOf(request));
      return reply.status(201).send({ breach });
    },
  );

  app.get(
    '/:id',
    {
      config: admin,
      schema: { tags, summary: 'One breach', params: IdParams, response: { 200: One, ...errors(400, 401, 403, 404) } },
    },
    async (request) => ({ breach: await getBreach(deps, request.params.id) }),
  );

  app.patch(
    '/:id',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Change facts of a breach (a notification made, a count known); audited with the field names',
        params: IdParams,
        body: BreachPatch,
        response: { 200: One, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => ({ breach: await updateBreach(deps, request.params.id, request.body, actorOf(request)) }),
  );

  app.post(
    '/:id/affected',
    {
      config: admin,
      schema: {
        tags,
        summary:
          'Count the people a breach may have reached ("everyone whose data was in inbox X between t1 and t2", ' +
          '"everyone with a recording that existed at t") and draft a notice to each in their language (Art. 34)',
        params: IdParams,
        body: FinderQuery,
        response: { 200: AffectedPeople, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => findAffected(deps, request.params.id, request.body, actorOf(request)),
  );
};

/** The data-protection impact assessment (admins): /api/privacy/dpia. */
export const dpiaRoutes: FastifyPluginAsyncTypebox<{ deps: DpiaDeps }> = async (app, { deps }) => {
  app.get(
    '/',
    {
      config: admin,
      schema: {
        tags,
        summary: 'The DPIA: its latest saved version, or the draft generated from the catalog and the configuration',
        querystring: Type.Object({ locale: staffLocaleQuery }),
        response: { 200: DpiaView, ...errors(400, 401, 403) },
      },
    },
    async (request) => currentDpia(deps, staffLocale(request, request.query.locale)),
  );

  app.get(
    '/draft',
    {
      config: admin,
      schema: {
        tags,
        summary: 'A fresh draft generated from the catalog and the live configuration (nothing is saved)',
        querystring: Type.Object({ locale: staffLocaleQuery }),
        response: { 200: DpiaView, ...errors(400, 401, 403) },
      },
    },
    async (request) => draftView(deps, staffLocale(request, request.query.locale)),
  );

  app.get(
    '/versions',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Every saved version, newest first',
        response: { 200: DpiaVersionList, ...errors(401, 403) },
      },
    },
    async () => listDpiaVersions(deps),
  );

  app.post(
    '/versions',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Save the edited DPIA as its next version (older versions stay readable)',
        body: DpiaSave,
        response: { 201: DpiaView, ...errors(400, 401, 403, 409) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await saveDpia(deps, request.body, currentAgent(request).id, actorOf(request), staffLocale(request))),
  );

  const VersionParams = Type.Object({ version: Type.Integer({ minimum: 1 }) });
  app.get(
    '/versions/:version',
    {
      config: admin,
      schema: {
        tags,
        summary: 'One saved version',
        params: VersionParams,
        response: { 200: DpiaView, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => dpiaVersion(deps, request.params.version),
  );

  app.get(
    '/print',
    {
      config: admin,
      schema: {
        tags,
        summary:
          'The DPIA as a print-friendly page in the language it is written in: the latest version, or ?version=N ' +
          '(while none is saved, the draft in ?locale=, else the agent’s language)',
        querystring: Type.Object({ version: Type.Optional(Type.Integer({ minimum: 1 })), locale: staffLocaleQuery }),
        response: {
          200: media('A printable HTML page', { 'text/html': Type.String() }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const { version } = request.query;
      const locale = staffLocale(request, request.query.locale);
      const dpia = version === undefined ? await currentDpia(deps, locale) : await dpiaVersion(deps, version);
      return reply.type('text/html').send(renderDpiaHtml(dpia, deps.config.controllerName));
    },
  );
};
