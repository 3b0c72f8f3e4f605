import { Server, type Namespace, type Socket } from 'socket.io';
import type { Server as HttpServer } from 'node:http';
import fastifyCookie from '@fastify/cookie';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.ts';
import { sha256, type VisitorClaims, type VisitorTokens } from '../security/tokens.ts';
import { sessionAgent, sessionAgentByHash, type SessionAgent } from '../domain/agents.ts';
import { DomainError, errorOf } from '../domain/errors.ts';
import { admitVisitor, visitorHistory, visitorSend, type WidgetDeps } from '../domain/widget.ts';
import { SESSION_COOKIE } from '../plugins/auth.ts';
import { agentRoom, scopeRooms, sessionRoom, visitorRoom, wireAudience } from './audience.ts';
import { guardListener, guardMiddleware } from './guard.ts';
import { isOwnOrigin } from './origin.ts';
import { wirePresence } from './presence.ts';
import type { Adapters } from '../../channels/registry.ts';
import type { Ack, AgentClientEvents, AgentServerEvents, WidgetClientEvents, WidgetServerEvents } from './event-map.ts';

/** `session`: the SHA-256 of the session token the socket was opened with (its room, and its re-check). */
type AgentData = { agent: SessionAgent; session: string; away?: boolean };
type WidgetData = { visitor: VisitorClaims };
type AgentSocket = Socket<AgentClientEvents, AgentServerEvents, object, AgentData>;
type WidgetSocket = Socket<WidgetClientEvents, WidgetServerEvents, object, WidgetData>;

/** Turns any failure into the ack's error shape; unexpected errors are logged without payloads. */
async function answer<T>(ack: Ack<T> | undefined, log: FastifyBaseLogger, work: () => Promise<T>): Promise<void> {
  if (typeof ack !== 'function') return;
  try {
    ack({ ok: true, value: await work() });
  } catch (err) {
    if (err instanceof DomainError) return ack({ ok: false, error: errorOf(err) });
    log.error({ err }, 'socket handler failed');
    ack({ ok: false, error: { code: 'internal', message: 'Internal server error' } });
  }
}

/**
 * The socket side of the widget (its messages go through the same domain functions as HTTP), the event bus
 * the audience listens to, session and token checks, and where the sockets run (size limit, Redis, origin).
 */
export type RealtimeDeps = WidgetDeps & {
  /** Every channel's adapter: presence emails replies to visitors who left (server/realtime/presence.ts). */
  adapters: Adapters;
  visitorTokens: Pick<VisitorTokens, 'verify'>;
  config: Pick<Config, 'messageMaxChars' | 'redisUrl' | 'redisPrefix' | 'publicUrl' | 'visitorTokenIdleDays'>;
};

export async function attachRealtime(httpServer: HttpServer, deps: RealtimeDeps, log: FastifyBaseLogger) {
  const io = new Server(httpServer, {
    // The widget is embedded on customers' sites: its namespace authenticates by token, not origin.
    cors: { origin: true, credentials: false },
    maxHttpBufferSize: Math.max(64_000, deps.config.messageMaxChars * 4 + 4_000),
    serveClient: false,
  });
  let closeRedis: (() => Promise<void>) | undefined;
  if (deps.config.redisUrl) {
    const { createAdapter } = await import('@socket.io/redis-adapter');
    const { Redis } = await import('ioredis');
    const pub = new Redis(deps.config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: null });
    const sub = pub.duplicate();
    await Promise.all([pub.connect(), sub.connect()]);
    // The prefix separates installations (or test runs) that share one Redis.
    io.adapter(createAdapter(pub, sub, { key: `${deps.config.redisPrefix}:socket.io` }));
    closeRedis = async () => {
      pub.disconnect();
      sub.disconnect();
    };
  }

  const agentNs = io.of('/agent') as unknown as Namespace<AgentClientEvents, AgentServerEvents, object, AgentData>;
  const widgetNs = io.of('/widget') as unknown as Namespace<WidgetClientEvents, WidgetServerEvents, object, WidgetData>;
  const presence = wirePresence({ agent: agentNs, widget: widgetNs }, deps, log);
  agentNs.use(
    guardMiddleware(log, '/agent', async (socket, next) => {
      const { origin, host, cookie } = socket.handshake.headers;
      // Checked first: a foreign page learns nothing about the session and costs no query.
      const request = { host, secure: socket.handshake.secure };
      if (!isOwnOrigin(origin, request, deps.config.publicUrl)) return next(new Error('forbidden_origin'));
      const token = fastifyCookie.parse(cookie ?? '')[SESSION_COOKIE];
      let agent: SessionAgent | null;
      try {
        agent = await sessionAgent(deps.db, token);
      } catch {
        return next(new Error('unavailable'));
      }
      if (!agent || !token) return next(new Error('unauthorized'));
      // Signed in with a one-time password: nothing to see until they chose their own (as on the HTTP routes).
      if (agent.mustChangePassword) return next(new Error('password_change_required'));
      socket.data.agent = agent;
      socket.data.session = sha256(token);
      next();
    }),
  );
  agentNs.on(
    'connection',
    guardListener(log, 'agent connection', async (socket: AgentSocket) => {
      const { agent, session } = socket.data;
      await socket.join([...scopeRooms(agent.inboxIds), agentRoom(agent.id), sessionRoom(session)]);
      // A logout, disabling, password or role change that committed after the check above published its
      // disconnect before this socket was in its rooms: reading the session again now that it is closes that gap.
      const current = await sessionAgentByHash(deps.db, session).catch(() => null);
      if (!current) return void socket.disconnect(true);
      socket.data.agent = current;
      presence.onAgent(socket);
    }),
  );

  widgetNs.use(
    guardMiddleware(log, '/widget', async (socket, next) => {
      // socket.io's parser lets only a JSON object through as auth; its token may still be any JSON value.
      const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
      const visitor = deps.visitorTokens.verify(typeof token === 'string' ? token : undefined);
      if (!visitor) return next(new Error('invalid_visitor_token'));
      try {
        socket.data.visitor = await admitVisitor(deps, visitor);
      } catch (err) {
        return next(new Error(err instanceof DomainError ? err.code : 'unavailable'));
      }
      next();
    }),
  );
  widgetNs.on(
    'connection',
    guardListener(log, 'widget connection', async (socket: WidgetSocket) => {
      const visitor = socket.data.visitor;
      socket.on(
        'message:send',
        guardListener(log, 'message:send', (payload, ack) =>
          answer(ack, log, async () => ({
            message: await visitorSend(deps, visitor, payload ?? ({} as never), { sessionChecked: true }),
          })),
        ),
      );
      socket.on(
        'history:get',
        guardListener(log, 'history:get', (_payload, ack) =>
          answer(ack, log, async () => ({ messages: (await visitorHistory(deps, visitor)).messages })),
        ),
      );
      await socket.join(visitorRoom(visitor.visitorId));
      presence.onWidget(socket);
    }),
  );

  const unwire = wireAudience(
    deps.events,
    { agent: agentNs, widget: widgetNs },
    {
      db: deps.db,
      log,
      fileLinks: deps.fileLinks,
    },
  );
  return {
    io,
    async close() {
      unwire();
      presence.close();
      await io.close();
      await closeRedis?.();
    },
  };
}
