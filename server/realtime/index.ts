import { Server, type Namespace, type Socket } from 'socket.io';
import type { Server as HttpServer } from 'node:http';
import fastifyCookie from '@fastify/cookie';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.ts';
import type { VisitorClaims, VisitorTokens } from '../security/tokens.ts';
import { sessionAgent, type SessionAgent } from '../domain/agents.ts';
import { DomainError } from '../domain/errors.ts';
import { assertActiveVisitor, visitorHistory, visitorSend, type WidgetDeps } from '../domain/widget.ts';
import { SESSION_COOKIE } from '../plugins/auth.ts';
import { agentRoom, scopeRooms, visitorRoom, wireAudience } from './audience.ts';
import type { Ack, AgentClientEvents, AgentServerEvents, WidgetClientEvents, WidgetServerEvents } from './event-map.ts';

type AgentData = { agent: SessionAgent };
type WidgetData = { visitor: VisitorClaims };

/** Turns any failure into the ack's error shape; unexpected errors are logged without payloads. */
async function answer<T>(ack: Ack<T> | undefined, log: FastifyBaseLogger, work: () => Promise<T>): Promise<void> {
  if (typeof ack !== 'function') return;
  try {
    ack({ ok: true, value: await work() });
  } catch (err) {
    if (err instanceof DomainError) return ack({ ok: false, error: { code: err.code, message: err.message } });
    log.error({ err }, 'socket handler failed');
    ack({ ok: false, error: { code: 'internal', message: 'Internal server error' } });
  }
}

/**
 * The socket side of the widget (its messages go through the same domain functions as HTTP), the event bus
 * the audience listens to, session and token checks, and where the sockets run (size limit, Redis, origin).
 */
export type RealtimeDeps = WidgetDeps & {
  visitorTokens: Pick<VisitorTokens, 'verify'>;
  config: Pick<Config, 'messageMaxChars' | 'redisUrl' | 'redisPrefix' | 'publicUrl'>;
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
  agentNs.use(async (socket, next) => {
    const cookies = fastifyCookie.parse(socket.handshake.headers.cookie ?? '');
    let agent: SessionAgent | null;
    try {
      agent = await sessionAgent(deps.db, cookies[SESSION_COOKIE]);
    } catch {
      return next(new Error('unavailable'));
    }
    if (!agent) return next(new Error('unauthorized'));
    // Cookies ride along with any page's WebSocket: only our own pages may use them.
    const origin = socket.handshake.headers.origin;
    if (origin && new URL(origin).host !== socket.handshake.headers.host && origin !== deps.config.publicUrl) {
      return next(new Error('forbidden origin'));
    }
    socket.data.agent = agent;
    next();
  });
  agentNs.on('connection', (socket) => {
    const { agent } = socket.data;
    void socket.join([...scopeRooms(agent.inboxIds), agentRoom(agent.id)]);
  });

  const widgetNs = io.of('/widget') as unknown as Namespace<WidgetClientEvents, WidgetServerEvents, object, WidgetData>;
  widgetNs.use((socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown }).token;
    const visitor = deps.visitorTokens.verify(typeof token === 'string' ? token : undefined);
    if (!visitor) return next(new Error('invalid_visitor_token'));
    assertActiveVisitor(deps, visitor).then(
      () => {
        socket.data.visitor = visitor;
        next();
      },
      (err) => next(new Error(err instanceof DomainError ? err.code : 'unavailable')),
    );
  });
  widgetNs.on('connection', (socket: Socket<WidgetClientEvents, WidgetServerEvents, object, WidgetData>) => {
    const visitor = socket.data.visitor;
    void socket.join(visitorRoom(visitor.visitorId));
    socket.on('message:send', (payload, ack) =>
      answer(ack, log, async () => ({
        message: await visitorSend(deps, visitor, payload ?? ({} as never), { sessionChecked: true }),
      })),
    );
    socket.on('history:get', (_payload, ack) =>
      answer(ack, log, async () => ({ messages: (await visitorHistory(deps, visitor)).messages })),
    );
  });

  const unwire = wireAudience(deps.events, { agent: agentNs, widget: widgetNs }, { db: deps.db, log });
  return {
    io,
    async close() {
      unwire();
      await io.close();
      await closeRedis?.();
    },
  };
}
