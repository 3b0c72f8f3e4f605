import type { VisitorDesk } from '../channel-port.ts';
import type { VisitorTokens } from '../security/tokens.ts';
import { currentVisitor } from '../plugins/auth.ts';
import { exportContact, type ExportDeps } from '../privacy/export.ts';
import { startVisitorSession } from './visitors.ts';
import {
  changeVisitorConsent,
  visitorConsent,
  visitorConversation,
  visitorHistory,
  visitorSend,
  widgetConfig,
  type WidgetDeps,
} from './widget.ts';

/** The widget's own domain, the visitor token issuer, and what a visitor's export needs (server/privacy/export.ts). */
export type VisitorDeskDeps = WidgetDeps & { visitorTokens: Pick<VisitorTokens, 'issue'> } & ExportDeps;

/**
 * The visitor side of the channel port (`ChannelPort.visitors`): each operation is one call to the domain
 * function that already does it, so the chat channel's routes reach the server through the port alone and
 * the realtime /widget namespace (server/realtime) keeps calling the same functions directly.
 */
export function createVisitorDesk(deps: VisitorDeskDeps): VisitorDesk {
  return {
    current: currentVisitor,
    config: (inboxId, locale) => widgetConfig(deps, inboxId, locale),
    async startSession(input) {
      const session = await startVisitorSession(deps, input);
      return { token: deps.visitorTokens.issue(session), visitorId: session.visitorId };
    },
    history: (visitor) => visitorHistory(deps, visitor),
    conversation: (visitor, conversationId) => visitorConversation(deps, visitor, conversationId),
    send: (visitor, input) => visitorSend(deps, visitor, input),
    consent: (visitor, language) => visitorConsent(deps, visitor, language),
    changeConsent: (visitor, purpose, granted, language) =>
      changeVisitorConsent(deps, visitor, purpose, granted, language),
    async exportOwnData(visitor) {
      const { stream } = await exportContact(deps, visitor.contactId, { kind: 'visitor', id: visitor.contactId });
      return stream;
    },
  };
}
