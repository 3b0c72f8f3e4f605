import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { freePort } from './ports.ts';
import { selfSignedCertificate } from './tls.ts';

export const DOVECOT_BINARY = '/usr/sbin/dovecot';

export type Dovecot = {
  host: string;
  port: number;
  user: string;
  password: string;
  /** With `tls`: the certificate to trust (STARTTLS is then required, plaintext LOGIN refused). */
  ca?: string;
  /** A fresh client logged in as the mailbox user (the "customer's" mail client appending mail). */
  client(): Promise<ImapFlow>;
  /** APPENDs raw RFC 822 messages to a mailbox, as a delivery agent would; returns their UIDs. */
  append(raw: string | Buffer | Array<string | Buffer>, mailbox?: string): Promise<number[]>;
  /** Kicks every IMAP connection (the server's included): a dropped connection, as a network blip would. */
  kickAll(): Promise<void>;
  stop(): Promise<void>;
};

/**
 * A real Dovecot (apt package dovecot-imapd) on 127.0.0.1 and a random port, with a throwaway
 * configuration, passwd-file and Maildir under a temporary directory: nothing of the machine's
 * /etc/dovecot is read. Runs in the foreground as a child process and is killed by stop().
 * `tls`: STARTTLS with a self-signed certificate, and no LOGIN before it (as a real provider's server).
 */
export async function startDovecot(setup: { tls?: boolean } = {}): Promise<Dovecot> {
  const dir = mkdtempSync(join(tmpdir(), 'dovecot-test-'));
  const certificate = setup.tls ? selfSignedCertificate() : null;
  if (certificate) {
    writeFileSync(join(dir, 'cert.pem'), certificate.cert, { mode: 0o644 });
    writeFileSync(join(dir, 'key.pem'), certificate.key, { mode: 0o600 });
  }
  const ssl = certificate
    ? `ssl = required\nssl_cert = <${dir}/cert.pem\nssl_key = <${dir}/key.pem\ndisable_plaintext_auth = yes`
    : 'ssl = no\ndisable_plaintext_auth = no';
  const port = await freePort();
  const user = 'support';
  const password = 'imap-test-password';
  const mailUser = uidOf('dovecot');
  // The auth and mail processes run as the dovecot user: they must traverse the directory.
  chmodSync(dir, 0o755);
  for (const sub of ['run', 'state', 'mail']) mkdirSync(join(dir, sub));
  chownSync(join(dir, 'mail'), mailUser.uid, mailUser.gid);
  writeFileSync(join(dir, 'passwd'), `${user}:{PLAIN}${password}\n`, { mode: 0o644 });
  const config = `
base_dir = ${dir}/run
state_dir = ${dir}/state
instance_name = dovecot-test-${port}
log_path = ${dir}/dovecot.log
info_log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
${ssl}
auth_mechanisms = plain login
mail_location = maildir:${dir}/mail/%u
mail_fsync = never
first_valid_uid = ${mailUser.uid}
last_valid_uid = ${mailUser.uid}
default_internal_user = dovecot
default_login_user = dovenull
passdb {
  driver = passwd-file
  args = scheme=PLAIN ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${mailUser.uid} gid=${mailUser.gid} home=${dir}/mail/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
`;
  writeFileSync(join(dir, 'dovecot.conf'), config);
  const child = spawn(DOVECOT_BINARY, ['-F', '-c', join(dir, 'dovecot.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  // A test process that dies (timeout, crash) must not leave a Dovecot running behind it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  await waitForPort(port, child, () => output + readLog(dir));

  const options = () => ({
    host: '127.0.0.1',
    port,
    secure: false,
    auth: { user, pass: password },
    logger: false as const,
    ...(certificate ? { doSTARTTLS: true, tls: { ca: certificate.cert } } : {}),
  });
  const dovecot: Dovecot = {
    host: '127.0.0.1',
    port,
    user,
    password,
    ca: certificate?.cert,
    async client() {
      const client = new ImapFlow(options());
      await client.connect();
      return client;
    },
    async append(raw, mailbox = 'INBOX') {
      const client = await dovecot.client();
      try {
        const uids: number[] = [];
        for (const one of [raw].flat()) {
          const result = await client.append(mailbox, one);
          if (!result || !result.uid) throw new Error('APPEND returned no UID');
          uids.push(result.uid);
        }
        return uids;
      } finally {
        await client.logout().catch(() => {});
      }
    },
    async kickAll() {
      // Exit code 68 (EX_NOUSER): nobody was connected, so nobody needed kicking.
      await run('/usr/bin/doveadm', ['-c', join(dir, 'dovecot.conf'), 'kick', '*'], [0, 68]);
    },
    async stop() {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return dovecot;
}

function uidOf(name: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`system user ${name} missing (install dovecot-imapd)`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function readLog(dir: string): string {
  try {
    return readFileSync(join(dir, 'dovecot.log'), 'utf8');
  } catch {
    return '';
  }
}

async function waitForPort(port: number, child: ChildProcess, diagnostics: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`dovecot exited (${child.exitCode}): ${diagnostics()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`dovecot did not listen on ${port}: ${diagnostics()}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function run(command: string, args: string[], okCodes = [0]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    child.once('exit', (code) =>
      okCodes.includes(code ?? -1)
        ? resolve()
        : reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${err}`)),
    );
  });
}
