import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import { freePort } from './ports.ts';
import { selfSignedCertificate } from './tls.ts';

export type ReceivedMail = { envelope: { from: string; to: string[] }; raw: Buffer; parsed: ParsedMail };

export type SmtpSink = {
  host: string;
  port: number;
  user: string;
  password: string;
  /** With `tls`: the certificate to trust. */
  ca?: string;
  /** How many sessions authenticated over TLS and in plain text. */
  sessions: { tls: number; plain: number };
  received: ReceivedMail[];
  /** The next `count` SMTP transactions are refused with this reply (a provider outage). */
  failNext(count: number, code?: number): void;
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  stop(): Promise<void>;
};

/**
 * A real SMTP server (the smtp-server package) on 127.0.0.1 that requires AUTH and keeps what it receives.
 * `tls`: it offers STARTTLS with a self-signed certificate and refuses AUTH before it; otherwise it offers no TLS.
 */
export async function startSmtpSink(options: { tls?: boolean } = {}): Promise<SmtpSink> {
  const certificate = options.tls ? selfSignedCertificate() : null;
  const sessions = { tls: 0, plain: 0 };
  const port = await freePort();
  const user = 'support';
  const password = 'smtp-test-password';
  const received: ReceivedMail[] = [];
  let failing = 0;
  let failCode = 451;
  const server = new SMTPServer({
    authMethods: ['PLAIN', 'LOGIN'],
    ...(certificate
      ? { key: certificate.key, cert: certificate.cert, allowInsecureAuth: false }
      : { allowInsecureAuth: true, disabledCommands: ['STARTTLS'] }),
    logger: false,
    onAuth(auth, session, done) {
      sessions[session.secure ? 'tls' : 'plain']++;
      if (auth.username === user && auth.password === password) return done(null, { user });
      return done(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onData(stream, session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        if (failing > 0) {
          failing--;
          return done(Object.assign(new Error('Try again later'), { responseCode: failCode }));
        }
        const raw = Buffer.concat(chunks);
        received.push({
          envelope: {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
          },
          raw,
          parsed: await simpleParser(raw),
        });
        done();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    ca: certificate?.cert,
    sessions,
    received,
    failNext(count, code = 451) {
      failing = count;
      failCode = code;
    },
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`SMTP sink got ${received.length} of ${count} mails`);
        await new Promise((r) => setTimeout(r, 25));
      }
      return received;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
