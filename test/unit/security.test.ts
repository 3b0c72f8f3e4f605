import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../server/security/passwords.ts';
import { createHmac } from 'node:crypto';
import { createVisitorTokens } from '../../server/security/tokens.ts';

describe('password hashing', () => {
  it('verifies the right password and rejects a wrong one', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(hash).not.toContain('correct horse');
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batterY', hash)).toBe(false);
  });

  it('salts: the same password hashes differently twice', async () => {
    expect(await hashPassword('same password')).not.toBe(await hashPassword('same password'));
  });
});

describe('visitor tokens', () => {
  const tokens = createVisitorTokens('secret-one');
  const claims = {
    visitorId: '3f1e2d3c-4b5a-4c6d-8e7f-9a0b1c2d3e4f',
    contactId: '7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d',
    inboxId: 'c0ffee00-1234-4abc-8def-0123456789ab',
  };
  /** A token this server signed over any payload: what an attacker who found a signing bug could send. */
  const signed = (payload: string) =>
    `${payload}.${createHmac('sha256', 'secret-one').update(payload).digest('base64url')}`;
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

  it('round-trips the claims', () => {
    expect(tokens.verify(tokens.issue(claims))).toMatchObject(claims);
  });

  it('rejects a token signed with another secret, a tampered payload and garbage', () => {
    const foreign = createVisitorTokens('secret-two').issue(claims);
    expect(tokens.verify(foreign)).toBeNull();
    const [payload, signature] = tokens.issue(claims).split('.');
    const tampered = Buffer.from(JSON.stringify({ ...claims, contactId: 'c2', issuedAt: 1 })).toString('base64url');
    expect(tokens.verify(`${tampered}.${signature}`)).toBeNull();
    expect(tokens.verify(`${payload}.`)).toBeNull();
    expect(tokens.verify('garbage')).toBeNull();
    expect(tokens.verify(undefined)).toBeNull();
  });

  it('parses strictly: no extra parts, no padding, no odd characters', () => {
    const token = tokens.issue(claims);
    expect(tokens.verify(`${token}.junk`)).toBeNull();
    expect(tokens.verify(`${token}.`)).toBeNull();
    expect(tokens.verify(`${token}=`)).toBeNull();
    expect(tokens.verify(` ${token}`)).toBeNull();
    expect(tokens.verify(`${token}\n`)).toBeNull();
    const [payload, signature] = token.split('.') as [string, string];
    expect(tokens.verify(`${payload}.${signature}.${signature}`)).toBeNull();
    expect(tokens.verify(`${payload}==.${signature}`)).toBeNull();
  });

  it('accepts only the exact claims, with their exact types, in a canonical encoding', () => {
    const issuedAt = Date.now();
    expect(tokens.verify(signed(encode({ ...claims, issuedAt })))).toEqual({ ...claims, issuedAt });
    expect(tokens.verify(signed(encode({ ...claims, issuedAt, admin: true })))).toBeNull();
    expect(tokens.verify(signed(encode({ ...claims })))).toBeNull();
    expect(tokens.verify(signed(encode({ ...claims, issuedAt: String(issuedAt) })))).toBeNull();
    expect(tokens.verify(signed(encode({ ...claims, issuedAt: 1.5 })))).toBeNull();
    expect(tokens.verify(signed(encode({ ...claims, issuedAt, contactId: 42 })))).toBeNull();
    expect(tokens.verify(signed(encode({ ...claims, issuedAt, contactId: 'not-a-uuid' })))).toBeNull();
    expect(tokens.verify(signed(encode([claims.visitorId, claims.contactId, claims.inboxId, issuedAt])))).toBeNull();
    expect(tokens.verify(signed(Buffer.from('not json').toString('base64url')))).toBeNull();
    // The same bytes spelled with other trailing bits (a 176-byte payload leaves 4 spare bits in its last
    // character): only the canonical spelling is a token.
    const canonical = encode({ ...claims, issuedAt: 170_000_000_000 });
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const twin = [...alphabet]
      .map((c) => canonical.slice(0, -1) + c)
      .find((c) => c !== canonical && Buffer.from(c, 'base64url').equals(Buffer.from(canonical, 'base64url')));
    expect(twin).toBeDefined();
    expect(tokens.verify(signed(canonical))).not.toBeNull();
    expect(tokens.verify(signed(twin!))).toBeNull();
  });
});
