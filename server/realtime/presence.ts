import type { Namespace, Socket } from 'socket.io';
import { openAddress } from '../domain/identity-address.ts';
import type { DataKeys } from '../security/data-keys.ts';
import type { FastifyBaseLogger } from 'fastify';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { conversations } from '../../drizzle/schema/index.ts';
import type { DomainEventBus } from '../domain/events.ts';
import type { SessionAgent } from '../domain/agents.ts';
import type { VisitorClaims } from '../security/tokens.ts';
import type { ConsentNotice } from '../privacy/notice.ts';
import type { Adapters } from '../../channels/registry.ts';
import { assertVisible } from '../domain/scope.ts';
import { DomainError, errorOf } from '../domain/errors.ts';
import { visitorConversationId } from '../domain/widget.ts';
import { markRead } from '../domain/conversations.ts';
import {
  agentMessageCount,
  agentReadAt,
  availability,
  markVisitorPresence,
  markVisitorRead,
  personJoined,
  visitorState,
} from '../domain/presence.ts';
import {
  FOLLOWUP_CONSENT_TEXT,
  FOLLOWUP_CONSENT_TEXTS,
  leaveEmail,
  maskEmail,
  sendDueFollowups,
  followupConsentHash,
} from '../domain/presence-followup.ts';
import { startHandoffAcknowledgements } from '../domain/presence-handoff.ts';
import { contactIdentities } from '../../drizzle/schema/index.ts';
import { every } from '../jobs/runner.ts';
import { AGENTS_ROOM, agentRoom, inboxRoom, visitorRoom } from './audience.ts';
import { guardListener } from './guard.ts';
import { customerFacingName } from '../domain/admin-name.ts';
import type {
  Ack,
  AgentClientEvents,
  AgentPresenceState,
  AgentServerEvents,
  WidgetClientEvents,
  WidgetPresenceView,
  WidgetServerEvents,
} from './event-map.ts';

type AgentData = { agent: SessionAgent; session: string; away?: boolean };
type WidgetData = { visitor: VisitorClaims };
type AgentNs = Namespace<AgentClientEvents, AgentServerEvents, object, AgentData>;
type WidgetNs = Namespace<WidgetClientEvents, WidgetServerEvents, object, WidgetData>;
type AgentSocket = Socket<AgentClientEvents, AgentServerEvents, object, AgentData>;
type WidgetSocket = Socket<WidgetClientEvents, WidgetServerEvents, object, WidgetData>;

export type PresenceDeps = {
  db: Db;
  events: DomainEventBus;
  adapters: Adapters;
  notice: ConsentNotice;
  config: { messageMaxChars: number };
  dataKeys: DataKeys;
};

/** A typing "true" is forwarded at most this often per socket (the clients also throttle); "false" always. */
const TYPING_EVERY_MS = 1_500;
/** "Seen" from one widget is written at most this often. */
const SEEN_EVERY_MS = 2_000;
/** The sweep that emails replies to visitors who left (deadlines in the database, see presence-followup.ts). */
const FOLLOWUP_SWEEP_MS = 10_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function reply<T>(ack: Ack<T> | undefined, log: FastifyBaseLogger, work: () => Promise<T>) {
  if (typeof ack !== 'function') return;
  try {
    ack({ ok: true, value: await work() });
  } catch (err) {
    if (err instanceof DomainError) return ack({ ok: false, error: errorOf(err) });
    log.error({ err }, 'presence handler failed');
    ack({ ok: false, error: { code: 'internal', message: 'Internal server error' } });
  }
}

/**
 * Presence over the two namespaces: typing both ways (forwarded, throttled, never stored), "seen" both ways,
 * agents' online/away state (from their open sockets, so it is right across servers with the Redis adapter:
 * fetchSockets asks every server), the widget's availability (business hours, usual wait) and the email
 * follow-up for visitors who leave. Wired by server/realtime/index.ts.
 */
export function wirePresence(ns: { agent: AgentNs; widget: WidgetNs }, deps: PresenceDeps, log: FastifyBaseLogger) {
  const inboxAgents = (inboxId: string) => ns.agent.to([AGENTS_ROOM, inboxRoom(inboxId)]);

  async function agentState(agentId: string): Promise<AgentPresenceState> {
    const sockets = await ns.agent.in(agentRoom(agentId)).fetchSockets();
    if (sockets.length === 0) return 'offline';
    return sockets.some((s) => !s.data.away) ? 'online' : 'away';
  }
  async function announce(agentId: string) {
    ns.agent.emit('agent:presence', { agentId, state: await agentState(agentId) });
  }
  /** Agents online (not away) who see the inbox: the usual wait is shared among them. */
  async function agentsOnline(inboxId: string): Promise<number> {
    const sockets = await ns.agent.in([AGENTS_ROOM, inboxRoom(inboxId)]).fetchSockets();
    return new Set(sockets.filter((s) => !s.data.away).map((s) => s.data.agent.id)).size;
  }

  type ConversationRef = { id: string; inboxId: string; threadKey: string; channel: string; status: string };
  const conversationRef = async (id: string): Promise<ConversationRef | null> => {
    const [row] = await deps.db
      .select({
        id: conversations.id,
        inboxId: conversations.inboxId,
        threadKey: conversations.threadKey,
        channel: conversations.channel,
        status: conversations.status,
      })
      .from(conversations)
      .where(eq(conversations.id, id));
    return row ?? null;
  };

  function onAgent(socket: AgentSocket) {
    const agent = () => socket.data.agent;
    // Conversations this socket may see, checked once each (a scope change disconnects the socket anyway).
    const visible = new Map<string, ConversationRef | null>();
    const lookup = async (conversationId: unknown): Promise<ConversationRef | null> => {
      if (typeof conversationId !== 'string' || !UUID.test(conversationId)) return null;
      if (!visible.has(conversationId)) {
        if (visible.size > 500) visible.clear();
        const ref = await conversationRef(conversationId);
        const ok =
          ref &&
          (await assertVisible(deps.db, agent().inboxIds, 'conversation', ref.id).then(
            () => true,
            () => false,
          ));
        visible.set(conversationId, ok ? ref : null);
      }
      return visible.get(conversationId) ?? null;
    };
    const lastTyping = new Map<string, number>();

    socket.on(
      'typing',
      guardListener(log, 'agent typing', async (payload) => {
        const typing = payload?.typing === true;
        const ref = await lookup(payload?.conversationId);
        if (!ref) return;
        const now = Date.now();
        if (typing && now - (lastTyping.get(ref.id) ?? 0) < TYPING_EVERY_MS) return;
        lastTyping.set(ref.id, typing ? now : 0);
        const { id: agentId, name } = agent();
        if (ref.channel === 'chat')
          ns.widget.to(visitorRoom(ref.threadKey)).emit('agent:typing', { typing, name: customerFacingName(name) });
        inboxAgents(ref.inboxId)
          .except(agentRoom(agentId))
          .emit('conversation:typing', { conversationId: ref.id, who: 'agent', agentId, name, typing });
      }),
    );
    socket.on(
      'conversation:seen',
      guardListener(log, 'agent seen', async (payload) => {
        const ref = await lookup(payload?.conversationId);
        if (!ref) return;
        // Recorded here too, so the time the visitor sees is never older than this very read.
        await markRead(deps.db, ref.id, agent().id);
        const at = await agentReadAt(deps.db, ref.id);
        if (!at) return;
        if (ref.channel === 'chat')
          ns.widget.to(visitorRoom(ref.threadKey)).emit('agent:seen', { at: at.toISOString() });
        inboxAgents(ref.inboxId).emit('conversation:seen', {
          conversationId: ref.id,
          by: 'agent',
          at: at.toISOString(),
        });
        // And this agent learns when the visitor last read it (a reload shows "Seen" too).
        const visitorReadAt = (await visitorState(deps.db, ref.id))?.visitorReadAt;
        if (visitorReadAt)
          socket.emit('conversation:seen', { conversationId: ref.id, by: 'visitor', at: visitorReadAt.toISOString() });
      }),
    );
    socket.on(
      'presence:set',
      guardListener(log, 'presence:set', async (payload, ack) => {
        const away = payload?.state === 'away';
        // The agent's other tabs on this server take the choice too (a tab on another server keeps its own).
        socket.data.away = away;
        for (const s of await ns.agent.in(agentRoom(agent().id)).local.fetchSockets()) s.data.away = away;
        await announce(agent().id);
        await reply(ack, log, async () => ({ state: away ? ('away' as const) : ('online' as const) }));
      }),
    );
    socket.on(
      'presence:list',
      guardListener(log, 'presence:list', (_payload, ack) =>
        reply(ack, log, async () => {
          const sockets = await ns.agent.fetchSockets();
          const states = new Map<string, AgentPresenceState>();
          for (const s of sockets) {
            const id = s.data.agent.id;
            if (!s.data.away) states.set(id, 'online');
            else if (!states.has(id)) states.set(id, 'away');
          }
          return { agents: [...states].map(([agentId, state]) => ({ agentId, state })) };
        }),
      ),
    );
    socket.on(
      'disconnect',
      guardListener(log, 'agent disconnect', () => announce(agent().id)),
    );
    void announce(agent().id).catch((err: unknown) => log.error({ err }, 'presence announce failed'));
  }

  function onWidget(socket: WidgetSocket) {
    const visitor = socket.data.visitor;
    let conversation: ConversationRef | null = null;
    const current = async (): Promise<ConversationRef | null> => {
      if (conversation) return conversation;
      const id = await visitorConversationId(deps, visitor);
      conversation = id ? await conversationRef(id) : null;
      return conversation;
    };
    let lastTyping = 0;
    let lastSeen = 0;

    socket.on(
      'typing',
      guardListener(log, 'visitor typing', async (payload) => {
        const typing = payload?.typing === true;
        const now = Date.now();
        if (typing && now - lastTyping < TYPING_EVERY_MS) return;
        lastTyping = typing ? now : 0;
        const ref = await current();
        if (!ref) return;
        inboxAgents(ref.inboxId).emit('conversation:typing', {
          conversationId: ref.id,
          who: 'visitor',
          agentId: null,
          name: null,
          typing,
        });
      }),
    );
    const writeSeen = guardListener(log, 'visitor seen', async () => {
      lastSeen = Date.now();
      const ref = await current();
      if (!ref) return;
      const at = await markVisitorRead(deps.db, ref.id);
      inboxAgents(ref.inboxId).emit('conversation:seen', {
        conversationId: ref.id,
        by: 'visitor',
        at: at.toISOString(),
      });
    });
    // Throttled with a trailing write: a "seen" that comes too soon is written once the interval is over, never
    // dropped, or a reply read right after an earlier "seen" would stay unseen for the agent.
    let seenLater: ReturnType<typeof setTimeout> | undefined;
    socket.on('seen', () => {
      const wait = lastSeen + SEEN_EVERY_MS - Date.now();
      if (wait <= 0) return writeSeen();
      seenLater ??= setTimeout(() => {
        seenLater = undefined;
        if (socket.connected) writeSeen();
      }, wait);
    });
    socket.on('disconnect', () => clearTimeout(seenLater));
    socket.on(
      'presence:get',
      guardListener(log, 'presence:get', (_payload, ack) =>
        reply(ack, log, async (): Promise<WidgetPresenceView> => {
          const ref = await current();
          const [avail, joined, readAt, state] = await Promise.all([
            availability(deps.db, visitor.inboxId, {
              agentsOnline: await agentsOnline(visitor.inboxId),
              conversationId: ref?.id ?? null,
            }),
            ref ? personJoined(deps.db, ref.id) : false,
            ref ? agentReadAt(deps.db, ref.id) : null,
            ref ? visitorState(deps.db, ref.id) : null,
          ]);
          let followupEmail: string | null = null;
          if (state?.followupIdentityId) {
            const [identity] = await deps.db
              .select({ id: contactIdentities.id, sealedAddress: contactIdentities.sealedAddress })
              .from(contactIdentities)
              .where(eq(contactIdentities.id, state.followupIdentityId));
            const address = identity ? await openAddress(deps.db, identity) : null;
            followupEmail = address ? maskEmail(address) : null;
          }
          const status = ref ? ((await conversationRef(ref.id))?.status ?? null) : null;
          return {
            availability: avail,
            status: status as WidgetPresenceView['status'],
            joined,
            agentReadAt: readAt?.toISOString() ?? null,
            followupEmail,
            followupConsent: { text: FOLLOWUP_CONSENT_TEXT, textHash: followupConsentHash },
            followupConsentTexts: FOLLOWUP_CONSENT_TEXTS,
          };
        }),
      ),
    );
    socket.on(
      'followup:email',
      guardListener(log, 'followup:email', (payload, ack) =>
        reply(ack, log, async () => {
          const result = await leaveEmail(deps, visitor, {
            email: payload?.email,
            consent: payload?.consent,
            consentTextHash: payload?.consentTextHash,
          });
          ns.widget.to(visitorRoom(visitor.visitorId)).emit('presence:changed', {});
          return result;
        }),
      ),
    );
    socket.on(
      'disconnect',
      guardListener(log, 'visitor disconnect', async () => {
        // Another tab of the same visitor keeps them present.
        const others = await ns.widget.in(visitorRoom(visitor.visitorId)).fetchSockets();
        if (others.length > 0) return;
        const ref = await current();
        if (ref) await markVisitorPresence(deps.db, ref.id, new Date());
      }),
    );
    void current()
      .then((ref) => (ref ? markVisitorPresence(deps.db, ref.id, null) : undefined))
      .catch((err: unknown) => log.error({ err }, 'visitor presence failed'));
  }

  const firstAgentReply = async (conversationId: string) => (await agentMessageCount(deps.db, conversationId)) === 1;
  const followupDeps = { db: deps.db, events: deps.events, adapters: deps.adapters, dataKeys: deps.dataKeys };
  const sendFor = (conversationId?: string) =>
    sendDueFollowups(followupDeps, conversationId).catch((err: unknown) =>
      log.error({ err }, 'emailing replies to a visitor who left failed'),
    );
  const offs = [
    // An agent's reply to a visitor already gone goes by email at once; the sweep catches the others.
    deps.events.subscribe('message.created', ({ message, conversation, route }) => {
      if (conversation.channel !== 'chat' || message.authorKind !== 'agent' || message.kind !== 'message') return;
      void sendFor(conversation.id);
      // An agent's first reply is a person joining, as an assignment is: the widget may now say so.
      if (conversation.assignee === null)
        void firstAgentReply(conversation.id)
          .then((first) => {
            if (first)
              ns.widget
                .to(visitorRoom(route.threadKey))
                .emit('conversation:status', { status: conversation.status, joined: true });
          })
          .catch((err: unknown) => log.error({ err }, 'announcing a joined person failed'));
    }),
    // A person joined (assigned): the widget asks again (the status line changes).
    startHandoffAcknowledgements(
      {
        db: deps.db,
        events: deps.events,
        adapters: deps.adapters,
        messageMaxChars: deps.config.messageMaxChars,
        dataKeys: deps.dataKeys,
      },
      log,
    ),
    every('chat-email-followups', FOLLOWUP_SWEEP_MS, log, () => sendFor()),
  ];
  return {
    onAgent,
    onWidget,
    close: () => offs.forEach((off) => off()),
  };
}
