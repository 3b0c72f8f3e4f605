import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac } from 'node:crypto';

/**
 * A local HTTP server speaking the Slack Web API shapes the channel uses (auth.test, users.info,
 * users.lookupByEmail, conversations.open, chat.postMessage) and serving url_private files, so the
 * real @slack/web-api client inside Bolt can be pointed at it (slackApiUrl). Calls are recorded for
 * the tests to check what Slack would have seen. Like Slack, it checks the bot token on every call
 * and answers an unauthorised file request with its sign-in page.
 */
export type FakeSlackUser = { id: string; name: string; realName?: string; displayName?: string; email?: string };
export type FakeSlackCall = { method: string; params: Record<string, string>; token: string | undefined };

export class FakeSlack {
  readonly calls: FakeSlackCall[] = [];
  readonly users = new Map<string, FakeSlackUser>();
  readonly files = new Map<string, { content: Buffer; contentType: string }>();
  /** Files served, by id, in order: what the bot downloaded. */
  readonly downloads: string[] = [];
  /** Files the bot may not read (its token lacks files:read): served as the sign-in page. */
  readonly fileAccessDenied = new Set<string>();
  /** Files answered with a redirect to this URL instead (a compromised or misbehaving file host). */
  readonly fileRedirects = new Map<string, string>();
  /** Files the bot uploaded (files.uploadV2: getUploadURLExternal, the bytes, completeUploadExternal), by id. */
  readonly uploads = new Map<
    string,
    {
      filename: string;
      length: number;
      content: Buffer | null;
      channel?: string;
      threadTs?: string;
      completed: boolean;
    }
  >();
  /** Methods that answer with this Slack error instead (e.g. { 'chat.postMessage': 'channel_not_found' }). */
  readonly failures = new Map<string, string>();
  private seq = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly botToken: string,
    readonly team: { id: string; botUserId: string; botId: string },
  ) {}

  static async start(botToken = 'xoxb-test-1234-abcdef'): Promise<FakeSlack> {
    // The handler needs the fake, and the fake its server: requests only arrive after `listen`, when it is set.
    const server = createServer((req, res) => {
      fake.handle(req).then(
        ({ status, type, body, location }) => {
          res.writeHead(status, { 'content-type': type, ...(location ? { location } : {}) });
          res.end(body);
        },
        () => {
          res.writeHead(500);
          res.end();
        },
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const fake = new FakeSlack(server, `http://127.0.0.1:${port}`, botToken, {
      id: 'T0TEAM0001',
      botUserId: 'U0BOTUSER1',
      botId: 'B0BOTID001',
    });
    return fake;
  }

  /** What to give SLACK_API_URL / slackApiUrl. */
  get apiUrl() {
    return `${this.url}/api/`;
  }

  addUser(user: FakeSlackUser) {
    this.users.set(user.id, user);
  }

  /** Hosts a file and returns its Slack file object, as it appears in a file_share message event. */
  addFile(id: string, name: string, content: Buffer, mimetype: string) {
    this.files.set(id, { content, contentType: mimetype });
    const url = `${this.url}/files-pri/${this.team.id}-${id}/${encodeURIComponent(name)}`;
    return {
      id,
      created: 1764578000,
      timestamp: 1764578000,
      name,
      title: name,
      mimetype,
      filetype: name.split('.').pop() ?? 'binary',
      pretty_type: mimetype,
      user: 'U0CUSTOMR1',
      user_team: this.team.id,
      editable: false,
      size: content.length,
      mode: 'hosted',
      is_external: false,
      external_type: '',
      is_public: true,
      public_url_shared: false,
      display_as_bot: false,
      username: '',
      url_private: url,
      url_private_download: `${url}?download=1`,
      permalink: `https://example.slack.com/files/U0CUSTOMR1/${id}/${name}`,
      is_starred: false,
      has_rich_preview: false,
      file_access: 'visible',
    };
  }

  /** The texts the app posted in its direct-message channel with this member (conversations.open's D channel). */
  directMessagesTo(memberId: string): string[] {
    return this.callsOf('chat.postMessage')
      .filter((c) => c.params.channel === `D${memberId.slice(1)}`)
      .map((c) => c.params.text ?? '');
  }

  callsOf(method: string) {
    return this.calls.filter((c) => c.method === method);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(
    req: IncomingMessage,
  ): Promise<{ status: number; type: string; body: string | Buffer; location?: string }> {
    const url = new URL(req.url ?? '/', this.url);
    const token = req.headers.authorization?.replace(/^Bearer /, '');
    if (req.method === 'GET' && url.pathname.startsWith('/files-pri/')) {
      const id = url.pathname.split('/')[2]!.split('-').slice(1).join('-');
      const redirect = this.fileRedirects.get(id);
      if (redirect) return { status: 302, type: 'text/plain', body: '', location: redirect };
      const file = this.files.get(id);
      if (token !== this.botToken || this.fileAccessDenied.has(id)) {
        return { status: 200, type: 'text/html; charset=utf-8', body: '<!DOCTYPE html><title>Slack</title>Sign in' };
      }
      if (!file) return { status: 404, type: 'text/plain', body: 'not found' };
      this.downloads.push(id);
      return { status: 200, type: file.contentType, body: file.content };
    }
    if (req.method === 'POST' && url.pathname.startsWith('/upload/')) {
      // Step 2 of files.uploadV2: the bytes, to the upload_url step 1 handed out (the WebClient sends its token).
      const upload = this.uploads.get(url.pathname.split('/')[2]!);
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      if (!upload || token !== this.botToken) return { status: 404, type: 'text/plain', body: 'not found' };
      upload.content = uploadedBytes(Buffer.concat(chunks), req.headers['content-type'] ?? '');
      return { status: 200, type: 'text/plain', body: `OK - ${upload.content.length}` };
    }
    const method = url.pathname.replace(/^\/api\//, '');
    const params = await readParams(req);
    this.calls.push({ method, params, token: token ?? params.token });
    const json = (body: Record<string, unknown>) => ({
      status: 200,
      type: 'application/json; charset=utf-8',
      body: JSON.stringify(body),
    });
    if ((token ?? params.token) !== this.botToken) return json({ ok: false, error: 'invalid_auth' });
    const failure = this.failures.get(method);
    if (failure) return json({ ok: false, error: failure });
    switch (method) {
      case 'auth.test':
        return json({
          ok: true,
          url: 'https://example.slack.com/',
          team: 'Example',
          user: 'support',
          team_id: this.team.id,
          user_id: this.team.botUserId,
          bot_id: this.team.botId,
          is_enterprise_install: false,
        });
      case 'users.info': {
        const user = this.users.get(params.user ?? '');
        if (!user) return json({ ok: false, error: 'user_not_found' });
        return json({
          ok: true,
          user: {
            id: user.id,
            team_id: this.team.id,
            name: user.name,
            deleted: false,
            real_name: user.realName,
            tz: 'Europe/Helsinki',
            is_bot: false,
            profile: {
              real_name: user.realName ?? '',
              display_name: user.displayName ?? '',
              email: user.email,
              team: this.team.id,
            },
          },
        });
      }
      case 'users.lookupByEmail': {
        const email = (params.email ?? '').toLowerCase();
        const user = [...this.users.values()].find((u) => u.email?.toLowerCase() === email);
        if (!user) return json({ ok: false, error: 'users_not_found' });
        return json({ ok: true, user: { id: user.id, team_id: this.team.id, name: user.name, deleted: false } });
      }
      case 'conversations.open': {
        // The app's direct-message channel with one member: D + the member id (stable, as Slack's is).
        const member = params.users ?? '';
        if (member.includes(',') || !this.users.has(member)) return json({ ok: false, error: 'user_not_found' });
        return json({ ok: true, channel: { id: `D${member.slice(1)}` } });
      }
      case 'chat.postMessage': {
        const ts = `${1764578000 + ++this.seq}.${String(this.seq).padStart(6, '0')}`;
        return json({
          ok: true,
          channel: params.channel,
          ts,
          message: {
            type: 'message',
            bot_id: this.team.botId,
            user: this.team.botUserId,
            text: params.text,
            ts,
            ...(params.thread_ts ? { thread_ts: params.thread_ts } : {}),
          },
        });
      }
      case 'files.getUploadURLExternal': {
        if (!params.filename || !params.length) return json({ ok: false, error: 'invalid_arguments' });
        const id = `F0UP${String(++this.seq).padStart(6, '0')}`;
        this.uploads.set(id, {
          filename: params.filename,
          length: Number(params.length),
          content: null,
          completed: false,
        });
        return json({ ok: true, upload_url: `${this.url}/upload/${id}`, file_id: id });
      }
      case 'files.completeUploadExternal': {
        const files = JSON.parse(params.files ?? '[]') as Array<{ id: string; title?: string }>;
        for (const f of files) {
          const upload = this.uploads.get(f.id);
          if (!upload || upload.content === null || upload.content.length !== upload.length)
            return json({ ok: false, error: 'file_upload_size_mismatch' });
          Object.assign(upload, { completed: true, channel: params.channel_id, threadTs: params.thread_ts });
        }
        return json({ ok: true, files: files.map((f) => ({ id: f.id, title: f.title ?? '' })) });
      }
      default:
        return json({ ok: false, error: 'unknown_method' });
    }
  }
}

/** The bytes of an upload: the raw body, or the one part of a multipart/form-data body (how the WebClient posts). */
function uploadedBytes(body: Buffer, contentType: string): Buffer {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!contentType.startsWith('multipart/form-data') || !boundary) return body;
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const start = body.indexOf(delimiter);
  const headersEnd = body.indexOf('\r\n\r\n', start);
  const end = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headersEnd);
  return body.subarray(headersEnd + 4, end);
}

async function readParams(req: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString();
  if (!raw) return {};
  if ((req.headers['content-type'] ?? '').includes('application/json')) {
    const parsed = JSON.parse(raw) as Record<string, unknown>;
    return Object.fromEntries(
      Object.entries(parsed).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
    );
  }
  return Object.fromEntries(new URLSearchParams(raw));
}

/**
 * The headers Slack signs an Events API request with
 * (https://api.slack.com/authentication/verifying-requests-from-slack).
 */

export function slackSignature(signingSecret: string, rawBody: string, timestamp = Math.floor(Date.now() / 1000)) {
  const signature = `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
  return { 'x-slack-signature': signature, 'x-slack-request-timestamp': String(timestamp) };
}

/** POSTs an Events API payload to the server the way Slack does, signed with `signingSecret`. */
export async function deliverEvent(
  url: string,
  signingSecret: string,
  payload: unknown,
  options: { retryNum?: number; timestamp?: number; tamper?: (raw: string) => string } = {},
) {
  const raw = JSON.stringify(payload);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    ...slackSignature(signingSecret, raw, options.timestamp),
  };
  if (options.retryNum !== undefined) {
    headers['x-slack-retry-num'] = String(options.retryNum);
    headers['x-slack-retry-reason'] = 'http_timeout';
  }
  const res = await fetch(url, { method: 'POST', headers, body: options.tamper ? options.tamper(raw) : raw });
  const text = await res.text();
  let body: unknown = text;

  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body };
}
