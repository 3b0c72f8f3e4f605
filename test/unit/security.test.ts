import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../server/security/passwords.ts';
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
  const claims = { visitorId: 'v1', contactId: 'c1', inboxId: 'i1' };

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
});
