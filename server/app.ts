import fp from 'fastify-plugin';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { AppRoot } from './composition.ts';
import { errorsPlugin } from './plugins/errors.ts';
import { authPlugin } from './plugins/auth.ts';
import { webPlugin } from './plugins/web.ts';
import { securityHeadersPlugin } from './plugins/security-headers.ts';
import { jsonBodyPlugin } from './plugins/json-body.ts';
import { registerRateLimits } from './http/rate-limits.ts';
import { openapiOptions } from './http/openapi.ts';
import { authRoutes } from './routes/auth.ts';
import { conversationRoutes } from './routes/conversations.ts';
import { contactRoutes } from './routes/contacts.ts';
import { agentRoutes } from './routes/agents.ts';
import { inboxRoutes } from './routes/inboxes.ts';
import { businessHoursRoutes } from './routes/business-hours.ts';
import { piiPolicyRoutes } from './routes/pii-policy.ts';
import { healthRoutes } from './routes/health.ts';
import { messageRoutes } from './routes/messages.ts';
import { privacyRoutes } from './routes/privacy.ts';
import { publicSelfServiceRoutes, widgetSelfServiceRoutes } from './routes/self-service.ts';
import { importRoutes } from './routes/imports.ts';
import { kbRoutes } from './routes/kb.ts';
import { botRoutes } from './routes/bot.ts';
import { assistRoutes } from './routes/assist.ts';
import { attachmentRoutes, conversationFileRoutes, fileLinkRoutes, fullMessageRoutes } from './routes/attachments.ts';
import { analyticsRoutes, widgetRatingRoutes } from './routes/analytics.ts';
import { channelRoutes } from '../channels/registry.ts';
import { recordingRoutes } from './routes/recordings.ts';
import { teamRoutes } from './routes/teams.ts';
import { cannedReplyRoutes } from './routes/canned-replies.ts';
import { searchRoutes } from './routes/search.ts';
import { apiTokenRoutes } from './routes/api-tokens.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { contactAuditRoutes, publicRequestRoutes, requestDeskRoutes } from './routes/privacy-requests.ts';
import { accessibilityRoutes, requestPageRoutes, transparencyRoutes } from './routes/request-page.ts';
import { breachRoutes, dpiaRoutes } from './routes/breaches.ts';
import { restrictionRoutes } from './routes/restrictions.ts';
import { conversationTrashRoutes, trashRoutes } from './routes/trash.ts';

/** The whole HTTP application as one plugin; server/main.ts (and the tests) register it on a Fastify instance. */
export const app = fp<{ root: AppRoot }>(
  async (fastify, { root }) => {
    // Every plugin takes the root under `deps` and declares, in its own file, the narrow type it reads from it.
    await fastify.register(errorsPlugin);
    await fastify.register(securityHeadersPlugin, { publicUrl: root.config.publicUrl });
    await fastify.register(jsonBodyPlugin);
    await fastify.register(cookie);
    await registerRateLimits(fastify, root.config);
    await fastify.register(swagger, openapiOptions());
    // No validator badge: it would send the spec's address to a third party (and the docs CSP forbids it).
    await fastify.register(swaggerUi, { routePrefix: '/api/docs', uiConfig: { validatorUrl: null } });
    await fastify.register(authPlugin, { deps: root });

    await fastify.register(healthRoutes, { prefix: '/api/health', deps: root });
    await fastify.register(authRoutes, { prefix: '/api/auth', deps: root });
    await fastify.register(conversationRoutes, { prefix: '/api/conversations', deps: root });
    await fastify.register(contactRoutes, { prefix: '/api/contacts', deps: root });
    await fastify.register(searchRoutes, { prefix: '/api/search', deps: root });
    await fastify.register(agentRoutes, { prefix: '/api/agents', deps: root });
    await fastify.register(apiTokenRoutes, { prefix: '/api/tokens', deps: root });
    await fastify.register(webhookRoutes, { prefix: '/api/webhooks', deps: root });
    await fastify.register(teamRoutes, { prefix: '/api/teams', deps: root });
    await fastify.register(cannedReplyRoutes, { prefix: '/api/canned-replies', deps: root });
    await fastify.register(inboxRoutes, { prefix: '/api/inboxes', deps: root });
    await fastify.register(businessHoursRoutes, { prefix: '/api/inboxes', deps: root });
    await fastify.register(piiPolicyRoutes, { prefix: '/api/inboxes', deps: root });
    await fastify.register(attachmentRoutes, { prefix: '/api/attachments', deps: root });
    await fastify.register(conversationFileRoutes, { prefix: '/api/conversations', deps: root });
    await fastify.register(conversationTrashRoutes, { prefix: '/api/conversations', deps: root });
    await fastify.register(trashRoutes, { prefix: '/api/trash', deps: root });
    await fastify.register(fullMessageRoutes, { prefix: '/api/messages', deps: root });
    await fastify.register(fileLinkRoutes, { prefix: '/api/files', deps: root });
    await fastify.register(messageRoutes, { prefix: '/api/messages', deps: root });
    await fastify.register(privacyRoutes, { prefix: '/api/privacy', deps: root });
    await fastify.register(requestDeskRoutes, { prefix: '/api/privacy/requests', deps: root });
    await fastify.register(contactAuditRoutes, { prefix: '/api/privacy/contacts', deps: root });
    await fastify.register(breachRoutes, { prefix: '/api/privacy/breaches', deps: root });
    await fastify.register(dpiaRoutes, { prefix: '/api/privacy/dpia', deps: root });
    await fastify.register(restrictionRoutes, { prefix: '/api/privacy', deps: root });
    await fastify.register(publicRequestRoutes, { prefix: '/api/public/privacy-requests', deps: root });
    await fastify.register(publicSelfServiceRoutes, { prefix: '/api/public/privacy-requests', deps: root });
    await fastify.register(widgetSelfServiceRoutes, { prefix: '/api/widget/privacy', deps: root });
    await fastify.register(importRoutes, { prefix: '/api/privacy', deps: root });
    await fastify.register(kbRoutes, { prefix: '/api/kb', deps: root });
    await fastify.register(botRoutes, { prefix: '/api/bot', deps: root, bot: root.bot });
    await fastify.register(assistRoutes, { prefix: '/api/assist', deps: root, bot: root.bot });
    // Each channel's webhooks and admin routes (channels/*/module.ts), under /api; the chat widget's /api/widget too.
    await fastify.register(channelRoutes(root.channels));
    await fastify.register(recordingRoutes, { prefix: '/api/recordings', deps: root });
    await fastify.register(analyticsRoutes, { prefix: '/api/analytics', deps: root });
    await fastify.register(widgetRatingRoutes, { prefix: '/api/widget/rating', deps: root });
    await fastify.register(requestPageRoutes, { prefix: '/privacy/request', deps: root });
    await fastify.register(transparencyRoutes, { deps: root });
    await fastify.register(accessibilityRoutes, { deps: root });
    await fastify.register(webPlugin, { deps: root });
  },
  { name: 'app' },
);
