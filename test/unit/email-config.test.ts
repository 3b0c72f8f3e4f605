import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.ts';

describe('email inbox from the environment', () => {
  it('is absent unless EMAIL_IMAP_URL is set', () => {
    expect(loadConfig({}).channels.email.envInbox).toBeNull();
  });

  it('reads IMAP and SMTP URLs with URL-encoded credentials', () => {
    const { envInbox: emailInbox } = loadConfig({
      EMAIL_ADDRESS: 'support@example.com',
      EMAIL_INBOX_NAME: 'Support',
      EMAIL_IMAP_URL: 'imaps://support%40example.com:app%20pass@imap.gmail.com/Support%20Mail',
      EMAIL_SMTP_URL: 'smtp://support%40example.com:app%20pass@smtp-mail.outlook.com:587',
    }).channels.email;
    expect(emailInbox!.name).toBe('Support');
    expect(emailInbox!.settings.imap).toEqual({
      host: 'imap.gmail.com',
      port: 993,
      secure: true,
      allowPlaintext: false,
      user: 'support@example.com',
      password: 'app pass',
      mailbox: 'Support Mail',
    });
    expect(emailInbox!.settings.smtp).toEqual({
      host: 'smtp-mail.outlook.com',
      port: 587,
      secure: false,
      allowPlaintext: false,
      user: 'support@example.com',
      password: 'app pass',
    });
  });

  it('allows plaintext servers only when EMAIL_ALLOW_PLAINTEXT=true', () => {
    const env = {
      EMAIL_ADDRESS: 'support@example.com',
      EMAIL_IMAP_URL: 'imap://u:p@imap.example.com',
      EMAIL_SMTP_URL: 'smtp://u:p@smtp.example.com',
    };
    const allowed = loadConfig({ ...env, EMAIL_ALLOW_PLAINTEXT: 'true' }).channels.email.envInbox!.settings;
    expect([allowed.imap.allowPlaintext, allowed.smtp.allowPlaintext]).toEqual([true, true]);
    expect(() => loadConfig({ ...env, EMAIL_ALLOW_PLAINTEXT: 'maybe' })).toThrow(
      new ConfigError('EMAIL_ALLOW_PLAINTEXT', 'must be true or false, got "maybe"'),
    );
  });

  it('names the bad variable', () => {
    const imap = 'imaps://u:p@imap.example.com';
    expect(() => loadConfig({ EMAIL_IMAP_URL: imap, EMAIL_ADDRESS: 'support@example.com' })).toThrow(
      new ConfigError('EMAIL_SMTP_URL', 'is required when EMAIL_IMAP_URL is set'),
    );
    expect(() =>
      loadConfig({ EMAIL_IMAP_URL: 'http://x', EMAIL_SMTP_URL: 'smtp://x', EMAIL_ADDRESS: 'a@b.example' }),
    ).toThrow(/EMAIL_IMAP_URL must use imaps: or imap:/);
    expect(() => loadConfig({ EMAIL_IMAP_URL: imap, EMAIL_SMTP_URL: 'smtps://smtp.example.com' })).toThrow(
      /EMAIL_ADDRESS address is required/,
    );
    expect(() =>
      loadConfig({
        EMAIL_IMAP_URL: 'imaps://imap.example.com',
        EMAIL_SMTP_URL: 'smtps://smtp.example.com',
        EMAIL_ADDRESS: 'a@b.example',
      }),
    ).toThrow(/EMAIL_IMAP_URL imap.user is required/);
  });
});
