import fp from 'fastify-plugin';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Services } from './services.ts';
import { errorsPlugin } from './plugins/errors.ts';
import { authPlugin } from './plugins/auth.ts';
import { webPlugin } from './plugins/web.ts';
import { securityHeadersPlugin } from './plugins/security-headers.ts';
import { jsonBodyPlugin } from './plugins/json-body.ts';
import { registerRateLimits } from './http/rate-limits.ts';
import { authRoutes } from './routes/auth.ts';
import { conversationRoutes } from './routes/conversations.ts';
import { contactRoutes } from './routes/contacts.ts';
import { agentRoutes } from './routes/agents.ts';
import { inboxRoutes } from './routes/inboxes.ts';
import { widgetRoutes } from './routes/widget.ts';
import { healthRoutes } from './routes/health.ts';
import { messageRoutes } from './routes/messages.ts';
import { privacyRoutes } from './routes/privacy.ts';
import { kbRoutes } from './routes/kb.ts';
import { botRoutes } from './routes/bot.ts';
import { emailInboxRoutes } from './routes/email-inboxes.ts';
import { slackRoutes } from './routes/slack.ts';
import { attachmentRoutes } from './routes/attachments.ts';
import { analyticsRoutes, widgetRatingRoutes } from './routes/analytics.ts';
import type { BotRunner } from './bot/runner.ts';
import { twilioRoutes } from '../channels/twilio/routes.ts';
import { recordingRoutes } from './routes/recordings.ts';

/** The whole HTTP application as one plugin; server/main.ts (and the tests) register it on a Fastify instance. */
export const app = fp<{ services: Services; bot: BotRunner }>(
  async (fastify, { services, bot }) => {
    await fastify.register(errorsPlugin);
    await fastify.register(securityHeadersPlugin, { publicUrl: services.config.publicUrl });
    await fastify.register(jsonBodyPlugin);
    await fastify.register(cookie);
    await registerRateLimits(fastify, services.config);
    await fastify.register(swagger, {
      openapi: {
        info: {
          title: 'Privacy-first support inbox API',
          version: '0.1.0',
          description:
            'Agents authenticate with the session cookie from POST /api/auth/login and send x-csrf-token on writes; widget visitors use a Bearer visitor token.',
        },
        components: {
          securitySchemes: {
            session: { type: 'apiKey', in: 'cookie', name: 'sid' },
            visitor: { type: 'http', scheme: 'bearer' },
          },
        },
      },
    });
    await fastify.register(swaggerUi, { routePrefix: '/api/docs' });
    await fastify.register(authPlugin, { deps: services });

    await fastify.register(healthRoutes, { prefix: '/api/health', deps: services });
    await fastify.register(authRoutes, { prefix: '/api/auth', deps: services });
    await fastify.register(conversationRoutes, { prefix: '/api/conversations', deps: services });
    await fastify.register(contactRoutes, { prefix: '/api/contacts', deps: services });
    await fastify.register(agentRoutes, { prefix: '/api/agents', deps: services });
    await fastify.register(inboxRoutes, { prefix: '/api/inboxes', deps: services });
    await fastify.register(emailInboxRoutes, { prefix: '/api/inboxes', services });
    await fastify.register(attachmentRoutes, { prefix: '/api/attachments', deps: services });
    await fastify.register(widgetRoutes, { prefix: '/api/widget', deps: services });
    await fastify.register(messageRoutes, { prefix: '/api/messages', deps: services });
    await fastify.register(privacyRoutes, { prefix: '/api/privacy', deps: services });
    await fastify.register(kbRoutes, { prefix: '/api/kb', deps: services });
    await fastify.register(botRoutes, { prefix: '/api/bot', deps: services, bot });
    await fastify.register(slackRoutes, { prefix: '/api/slack', services });
    await fastify.register(twilioRoutes, { prefix: '/api/twilio', services });
    await fastify.register(recordingRoutes, { prefix: '/api/recordings', services });
    await fastify.register(analyticsRoutes, { prefix: '/api/analytics', deps: services });
    await fastify.register(widgetRatingRoutes, { prefix: '/api/widget/rating', deps: services });
    await fastify.register(webPlugin, { deps: services });
  },
  { name: 'app' },
);
