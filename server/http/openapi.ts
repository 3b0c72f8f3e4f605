import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import type { FastifySchema } from 'fastify';
import { ErrorView } from './views.ts';
import { requiredScope } from '../security/api-tokens.ts';
import { errorExamples, responseExamples } from './openapi-examples.ts';

/**
 * The OpenAPI document is the contract (DESIGN.md): what each route can answer and who may call it is derived here
 * from the same route options the server enforces (config.access, rateLimit, signed, params), so the document
 * cannot claim less than the server does. Routes still say what only they know (summary, body, their own statuses,
 * their media types through `media()` in ./common.ts).
 */

type Json = Record<string, unknown>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The body as the document shows it, when the route validates another form (Slack: raw text, signed). */
    documentedBody?: unknown;
  }
}
type RouteConfig = {
  documentedBody?: unknown;
  access?: string;
  rateLimit?: { max?: number; timeWindow?: string };
  inboxScoped?: unknown;
};

const ERROR_SCHEMA_REF = '#/components/schemas/Error';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What each status means on this API; a route's own response description wins. */
const statusText: Record<string, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted: the work continues in the background',
  204: 'Done; no body',
  302: 'Redirect',
  400: 'The request is malformed or fails validation (`bad_request`, `malformed_json` or a more specific code)',
  401: 'Not signed in: no or an expired session, visitor token or signature',
  403: 'Not allowed: missing role, missing or wrong x-csrf-token, password change required, or a bad signature',
  404: 'No such resource (a resource outside the agent’s inboxes also answers 404)',
  409: 'Conflicts with the current state (e.g. a legal hold, a duplicate)',
  410: 'Gone: expired or erased',
  413: 'The request body is too large',
  415: 'Unsupported media type',
  422: 'Understood but cannot be processed',
  429: 'Too many requests: retry after the number of seconds in Retry-After',
  500: 'Internal server error',
  502: 'A provider (mail server, Slack, Twilio) failed',
  503: 'Not available right now (a channel not configured or a dependency down)',
};

const roleText: Record<string, string> = {
  agent: 'a signed-in agent (any role)',
  manager: 'a signed-in manager or admin',
  admin: 'a signed-in admin',
};

const pascal = (word: string) =>
  word
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');

/**
 * A stable operationId from the method and the path (e.g. POST /api/conversations/{id}/messages:
 * postConversationsByIdMessages); it changes only when the path does, and is unique because method + path are.
 */
export function operationIdOf(method: string, path: string): string {
  const parts = path
    .split('/')
    .filter((p) => p && p !== 'api')
    .map((p) => (p.startsWith('{') ? `By${pascal(p.slice(1, -1))}` : pascal(p)));
  return method.toLowerCase() + parts.join('');
}

const errorResponse = (status: number, extra: Json = {}) => ({
  ...ErrorView,
  description: statusText[status],
  ...extra,
});

function derivedResponses(schema: FastifySchema, method: string, config: RouteConfig, scope: string | null): Json {
  const access = config.access;
  const out: Json = {};
  if (schema.body || schema.querystring || schema.headers) out[400] = errorResponse(400);
  if (access && access !== 'public') out[401] = errorResponse(401);
  if (access && access !== 'public' && access !== 'visitor') out[403] = errorResponse(403);
  // A malformed id in the path answers 404 (server/plugins/errors.ts), as does an id outside the agent's inboxes.
  if (schema.params) out[404] = errorResponse(404);
  if (schema.body && !SAFE_METHODS.has(method))
    Object.assign(out, { 413: errorResponse(413), 415: errorResponse(415) });
  if (config.rateLimit || scope)
    out[429] = errorResponse(429, {
      headers: {
        'retry-after': { type: 'integer', description: 'Seconds until the limit resets' },
        'x-ratelimit-limit': { type: 'integer', description: 'Requests allowed in the window' },
        'x-ratelimit-remaining': { type: 'integer', description: 'Requests left in the window' },
        'x-ratelimit-reset': { type: 'integer', description: 'Seconds until the window resets' },
      },
    });
  return out;
}

function securityOf(
  schema: FastifySchema & { security?: unknown },
  method: string,
  access: string | undefined,
  scope: string | null,
) {
  if (schema.security) return schema.security;
  if (!access || access === 'public') return [];
  if (access === 'visitor') return [{ visitor: [] }];
  const session = SAFE_METHODS.has(method) ? [{ session: [] }] : [{ session: [], csrf: [] }];
  return scope ? [...session, { apiToken: [] }] : session;
}

function descriptionOf(
  schema: FastifySchema & { summary?: string; description?: string },
  method: string,
  config: RouteConfig,
  scope: string | null,
) {
  const own = (schema.description ?? schema.summary ?? '').trim();
  const lines = [own && !/[.!?)]$/.test(own) ? `${own}.` : own];
  const access = config.access;
  if (access === 'public') lines.push('Public: no session needed.');
  else if (access === 'visitor') lines.push('Needs the widget visitor token (Authorization: Bearer).');
  else if (access) {
    lines.push(`Needs ${roleText[access] ?? access}.`);
    if (!SAFE_METHODS.has(method)) lines.push('Send the x-csrf-token header given at sign-in.');
    if (scope)
      lines.push(
        `Or an API token with the ${scope} scope (rate-limited per token: API_TOKEN_RATE_PER_MINUTE, default 600).`,
      );
  }
  if (config.rateLimit?.max)
    lines.push(
      `Rate-limited: ${config.rateLimit.max} requests per ${config.rateLimit.timeWindow ?? 'minute'} per client.`,
    );
  return lines.filter(Boolean).join(' ');
}

const transform: NonNullable<FastifyDynamicSwaggerOptions['transform']> = ({ schema, url, route }) => {
  // One path form: Fastify also answers the prefix root with a trailing slash; the document names it without.
  const path = url.length > 1 ? url.replace(/\/$/, '') : url;
  if (!schema || (schema as { hide?: boolean }).hide) return { schema, url: path };
  const method = [route.method].flat()[0]!.toUpperCase();
  const config = (route.config ?? {}) as RouteConfig;
  const own = schema as FastifySchema & { operationId?: string; summary?: string; description?: string };
  const access = config.access;
  const scope = access && access !== 'public' && access !== 'visitor' ? requiredScope(method, path) : null;
  return {
    url: path,
    schema: {
      ...own,
      ...(config.documentedBody ? { body: config.documentedBody } : {}),
      operationId: own.operationId ?? operationIdOf(method, path.replace(/:(\w+)/g, '{$1}')),
      description: descriptionOf(own, method, config, scope),
      security: securityOf(own, method, config.access, scope),
      ...(scope ? { 'x-api-token-scope': scope } : {}),
      response: { ...derivedResponses(own, method, config, scope), ...(own.response as Json | undefined) },
    } as FastifySchema,
  };
};

const isErrorShape = (schema: unknown): boolean => {
  const s = schema as { type?: string; properties?: Json } | undefined;
  if (s?.type !== 'object' || !s.properties) return false;
  return Object.keys(s.properties).sort().join() === 'code,message,params,requestId';
};

/** Whole-document pass: one error component referenced everywhere, honest response descriptions, declared tags. */
const transformObject: NonNullable<FastifyDynamicSwaggerOptions['transformObject']> = (documentObject) => {
  const doc = (documentObject as { openapiObject: Json }).openapiObject as Json & {
    paths: Record<string, Record<string, Json & { tags?: string[]; responses?: Record<string, Json> }>>;
    components: Json & { schemas?: Json };
  };
  const tags = new Set<string>();
  for (const item of Object.values(doc.paths))
    for (const operation of Object.values(item)) {
      operation.tags?.forEach((t) => tags.add(t));
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        if (response.description === 'Default Response') response.description = statusText[status] ?? 'Response';
        const content = response.content as Record<string, { schema?: unknown; example?: unknown }> | undefined;
        for (const media of Object.values(content ?? {}))
          if (isErrorShape(media.schema)) {
            media.schema = { $ref: ERROR_SCHEMA_REF };
            // What this status answers (not one not_found example under every status).
            if (errorExamples[status]) media.example = errorExamples[status];
          }
        const example = responseExamples[operation.operationId as string]?.[status];
        const json = content?.['application/json'];
        if (example && json) json.example = example;
      }
    }
  doc.components.schemas = {
    ...doc.components.schemas,
    Error: {
      ...ErrorView,
      description: 'The one error shape of the API',
      example: { code: 'not_found', message: 'No such resource', requestId: '5f0c6a8e-3b9e-4d5a-9a4e-6f1b2c3d4e5f' },
    },
  };
  doc.tags = [...tags].sort().map((name) => ({ name, description: `Operations on ${name}` }));
  return doc;
};

export const openapiOptions = (): FastifyDynamicSwaggerOptions => ({
  openapi: {
    info: {
      title: 'Privacy-first support inbox API',
      version: '0.1.0',
      description:
        'Agents authenticate with the session cookie from POST /api/auth/login and send x-csrf-token on writes; ' +
        'widget visitors use a Bearer visitor token; provider webhooks are verified by their signatures.',
      contact: { name: 'The operator of this server' },
      license: { name: 'Proprietary', url: 'https://choosealicense.com/no-permission/' },
    },
    servers: [{ url: '/', description: 'The server that serves this document' }],
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'sid', description: 'Set by POST /api/auth/login' },
        csrf: {
          type: 'apiKey',
          in: 'header',
          name: 'x-csrf-token',
          description: 'The csrfToken of the sign-in answer, on every write with the session cookie',
        },
        apiToken: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'pit_…',
          description: 'An API token an admin created (POST /api/tokens); x-api-token-scope names the scope needed',
        },
        visitor: {
          type: 'http',
          scheme: 'bearer',
          description: 'The widget visitor token of POST /api/widget/sessions',
        },
        requestToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'The request token of POST /api/public/privacy-requests/verify (after the one-time code)',
        },
        twilioSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'x-twilio-signature',
          description: 'HMAC-SHA1 of the URL and form parameters with the inbox’s Twilio auth token',
        },
        slackSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'x-slack-signature',
          description: 'v0 HMAC-SHA256 of the timestamp and raw body with the Slack signing secret',
        },
      },
    },
  },
  transform,
  transformObject,
});
