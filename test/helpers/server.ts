import { Writable } from 'node:stream';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { loadConfig } from '../../server/config.ts';
import { startServer, type RunningServer } from '../../server/server.ts';
import type { ChannelModules } from '../../channels/registry.ts';
import { createAgent } from '../../server/domain/agents.ts';
import type { AgentRole } from '../../drizzle/schema/enums.ts';
import { inboxes } from '../../drizzle/schema/index.ts';
import { consentNotice } from '../../server/privacy/notice.ts';
import { widgetNotice } from './notice.ts';
import { testDatabase } from './db.ts';
import type { Database } from '../../server/db/client.ts';

export const ADMIN_PASSWORD = 'admin-password-for-tests';

export type TestServer = RunningServer & {
  logs: () => string;
  stop(): Promise<void>;
  chatInboxId: string;
  agentClient(role: AgentRole): Promise<AgentClient>;
  visitor(analytics?: boolean): Promise<VisitorClient>;
};

/**
 * A real server on a random port, with its own database, capturing every log line. `channels`: the channel
 * modules to run instead of channels/registry.ts's (a test adds a fake fifth channel this way). `database`: one
 * the test prepared (testDatabase()); the server closes it when it stops.
 */
export async function startTestServer(
  env: Record<string, string> = {},
  options: { channels?: ChannelModules; clock?: () => Date; database?: Database } = {},
): Promise<TestServer> {
  // A test that needs rows in place before the server starts (what an older version left) passes its database.
  const database = options.database ?? (await testDatabase());
  let logText = '';
  const logStream = new Writable({
    write(chunk, _enc, done) {
      logText += chunk.toString();
      done();
    },
  });
  // The public URL must be known before start (the /demo snippet embeds it), so pick the port first.
  // 127.0.0.1 as the widget's origin makes http://localhost:<port>/demo a different site, as on a customer's page.
  const port = await freePort();
  const config = loadConfig(
    {
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'inbox-test-')),
      ADMIN_PASSWORD,
      SEED_DEMO: 'false',
      LOG_LEVEL: 'info',
      // Tests that are not about the bot see plain conversations; bot tests turn it on.
      BOT_ENABLED: 'false',
      BOT_EMBEDDER: 'lexical',
      ...env,
    },
    options.channels,
  );
  const server = await startServer(config, { database, logStream, channels: options.channels, clock: options.clock });
  const [chat] = await server.root.db.insert(inboxes).values({ name: 'Test chat', channel: 'chat' }).returning();
  let n = 0;
  return {
    ...server,
    chatInboxId: chat!.id,
    logs: () => logText,
    async stop() {
      await server.close();
      await database.close();
      rmSync(config.dataDir, { recursive: true, force: true });
    },
    async agentClient(role) {
      n += 1;
      const email = `${role}${n}@test.example`;
      const password = 'a-long-test-password';
      await createAgent(server.root.db, { email, name: `${role} ${n}`, role, password }, null);
      return AgentClient.login(server.url, email, password);
    },
    async visitor(analytics = false) {
      return VisitorClient.start(server.url, chat!.id, analytics);
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

type Json = Record<string, unknown> | unknown[] | null;
/**
 * What a test reads when it names no type: a JSON body or an event payload, read freely and checked by the
 * assertions. Typing every read of every test is its own change; this is the one place that allows it.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above: untyped JSON in tests only
export type TestJson = any;
export type ApiResponse<T = TestJson> = { status: number; body: T };

async function call(url: string, init: RequestInit): Promise<ApiResponse> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body };
}

export class AgentClient {
  constructor(
    readonly base: string,
    readonly cookie: string,
    readonly csrfToken: string,
    readonly agent: { id: string; role: AgentRole; name: string },
  ) {}

  static async login(base: string, email: string, password: string): Promise<AgentClient> {
    const res = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    if (res.status !== 200) throw new Error(`login failed: ${res.status}`);
    const body = (await res.json()) as { csrfToken: string; agent: AgentClient['agent'] };
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    return new AgentClient(base, cookie, body.csrfToken, body.agent);
  }

  get(path: string) {
    return call(`${this.base}${path}`, { headers: { cookie: this.cookie } });
  }

  send(method: string, path: string, body?: Json | string, headers: Record<string, string> = {}) {
    return call(`${this.base}${path}`, {
      method,
      headers: {
        cookie: this.cookie,
        'x-csrf-token': this.csrfToken,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: typeof body === 'string' ? body : body === undefined ? undefined : JSON.stringify(body),
    });
  }

  post(path: string, body?: Json | string) {
    return this.send('POST', path, body);
  }

  socket(): Promise<Socket> {
    return connect(
      io(`${this.base}/agent`, {
        transports: ['websocket'],
        extraHeaders: { cookie: this.cookie },
        reconnection: false,
        forceNew: true,
      }),
    );
  }
}

export class VisitorClient {
  constructor(
    readonly base: string,
    readonly token: string,
    readonly visitorId: string,
  ) {}

  static async start(base: string, inboxId: string, analytics: boolean): Promise<VisitorClient> {
    const res = await call(`${base}/api/widget/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        inboxId,
        ...(await widgetNotice(base, inboxId)),
        consents: { support: true, analytics },
      }),
    });
    if (res.status !== 201) throw new Error(`visitor session failed: ${res.status} ${JSON.stringify(res.body)}`);
    return new VisitorClient(base, res.body.token, res.body.visitorId);
  }

  get(path: string) {
    return call(`${this.base}${path}`, { headers: { authorization: `Bearer ${this.token}` } });
  }

  post(path: string, body: Json | string) {
    return call(`${this.base}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  socket(): Promise<Socket> {
    return connect(
      io(`${this.base}/widget`, {
        transports: ['websocket'],
        auth: { token: this.token },
        reconnection: false,
        forceNew: true,
      }),
    );
  }
}

export function connect(socket: Socket): Promise<Socket> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => reject(err));
  });
}

/** Resolves with the first event payload that matches. */
export function nextEvent<T = TestJson>(
  socket: Socket,
  event: string,
  match: (payload: T) => boolean = () => true,
  timeoutMs = 5_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, handler);
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    const handler = (payload: T) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      socket.off(event, handler);
      resolve(payload);
    };
    socket.on(event, handler);
  });
}

export const emitWithAck = <T = TestJson>(socket: Socket, event: string, payload: unknown): Promise<T> =>
  socket.timeout(5_000).emitWithAck(event, payload) as Promise<T>;

/** The notice of startTestServer's default configuration (a server started with other settings shows another). */
export const { policyVersion: NOTICE_POLICY_VERSION, textHash: NOTICE_TEXT_HASH } = consentNotice(loadConfig({}));
