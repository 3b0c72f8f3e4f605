import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { DomainError, errors, rateLimits } from '../../server/channel-port.ts';
import type { SlackChannel } from './channel.ts';

/**
 * Slack's Events API request URL. Public: every request is verified with the app's signing secret
 * (channels/slack/receiver.ts), which needs the body exactly as Slack sent it, so this plugin (and
 * only this one: content-type parsers are scoped to their plugin) keeps JSON bodies as raw text.
 */
/** What Slack posts (validated as raw text, so the signature is checked over the exact bytes; documented as JSON). */
const SlackEnvelope = Type.Object(
  {
    type: Type.String({ description: 'url_verification or event_callback' }),
    challenge: Type.Optional(Type.String()),
    team_id: Type.Optional(Type.String()),
    event_id: Type.Optional(Type.String()),
    event: Type.Optional(Type.Object({ type: Type.String() }, { additionalProperties: true })),
  },
  { additionalProperties: true },
);

export const slackRoutes =
  (running: () => SlackChannel | null): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => done(null, body));

    app.post(
      '/events',
      {
        config: { access: 'public', signed: true, rateLimit: rateLimits.webhook, documentedBody: SlackEnvelope },
        schema: {
          security: [{ slackSignature: [] }],
          tags: ['slack'],
          summary: 'Slack Events API request URL (signed by Slack; answers after the message is stored)',
          headers: Type.Object({
            'x-slack-signature': Type.Optional(Type.String()),
            'x-slack-request-timestamp': Type.Optional(Type.String()),
            'x-slack-retry-num': Type.Optional(Type.String()),
          }),
          body: Type.String({ description: 'The Events API JSON payload, verified against its signature as sent' }),
          response: {
            200: Type.Object({ challenge: Type.Optional(Type.String()) }),
            ...errors(400, 401, 404, 500),
          },
        },
      },
      async (request) => {
        const slack = running();
        if (!slack) throw new DomainError(404, 'slack_not_configured', 'Slack is not configured on this server');
        const result = await slack.receiver.handle({
          url: request.url,
          headers: request.headers,
          rawBody: request.body,
          body: undefined,
        });
        if (result.failure) request.log.error({ err: result.failure }, 'slack event failed');
        if (result.status >= 400)
          throw new DomainError(result.status, String(result.body.code), String(result.body.message));
        return result.body;
      },
    );
  };
