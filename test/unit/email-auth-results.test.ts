import { describe, expect, it } from 'vitest';
import {
  isAuthFailure,
  parseAuthenticationResults,
  receivedAuthenticationResults,
} from '../../channels/email/auth-results.ts';
import { parseEmail } from '../../channels/email/parse.ts';

const limits = { maxAttachmentBytes: 1_000_000, maxTextChars: 10_000 };

describe('Authentication-Results (RFC 8601)', () => {
  it('reads the methods and results of a real receiving server’s header, and nothing that names a person', () => {
    // Gmail's form: authserv-id, then results with comments and properties (addresses replaced).
    const parsed = parseAuthenticationResults(
      'mx.google.com;\r\n       dkim=pass header.i=@example.org header.s=s1 header.b=Ab12Cd34;\r\n' +
        '       spf=pass (google.com: domain of jane@example.org designates 192.0.2.1 as permitted sender) ' +
        'smtp.mailfrom=jane@example.org;\r\n       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=example.org',
    );
    expect(parsed).toEqual({
      authservId: 'mx.google.com',
      results: [
        { method: 'dkim', result: 'pass' },
        { method: 'spf', result: 'pass' },
        { method: 'dmarc', result: 'pass' },
      ],
    });
    expect(JSON.stringify(parsed)).not.toContain('jane');
  });

  it('follows the grammar: version, comments (nested, with ; and =), quoted values, method versions, case', () => {
    expect(
      parseAuthenticationResults(
        '"mx.example.com" 1 (a (nested; comment) dkim=pass); SPF = SoftFail (x=y; z) ' +
          'smtp.mailfrom="a;b@example.com"; dkim/1=fail reason="bad; signature" header.d=example.com; ' +
          'arc=none; iprev=pass policy.iprev=192.0.2.1',
      ),
    ).toEqual({
      authservId: 'mx.example.com',
      results: [
        { method: 'spf', result: 'softfail' },
        { method: 'dkim', result: 'fail' },
        { method: 'arc', result: 'none' },
      ],
    });
    expect(parseAuthenticationResults('mx.example.com; none')).toEqual({ authservId: 'mx.example.com', results: [] });
    expect(parseAuthenticationResults('; dmarc=pass')).toBeNull();
    expect(parseAuthenticationResults('mx.example.com; dmarc=maybe; spf')).toEqual({
      authservId: 'mx.example.com',
      results: [],
    });
  });

  it('trusts only the topmost header: the one the receiving server prepended', () => {
    expect(
      receivedAuthenticationResults(['mx.shop.example; dmarc=fail', 'mx.shop.example; dmarc=pass'])?.results,
    ).toEqual([{ method: 'dmarc', result: 'fail' }]);
    expect(receivedAuthenticationResults([])).toBeNull();
    expect(isAuthFailure({ method: 'dmarc', result: 'fail' })).toBe(true);
    expect(isAuthFailure({ method: 'spf', result: 'softfail' })).toBe(true);
    expect(isAuthFailure({ method: 'dkim', result: 'none' })).toBe(false);
  });

  it('parseEmail keeps the topmost header’s results, and To/Cc as participants', async () => {
    const raw = Buffer.from(
      [
        'Authentication-Results: mx.shop.example; spf=fail smtp.mailfrom=evil.example; dmarc=fail',
        'Received: from mx.evil.example by mx.shop.example',
        'Authentication-Results: mx.shop.example; dmarc=pass',
        'From: Mallory <Mallory@Evil.example>',
        'To: Support <support@shop.example>, "Bob" <BOB@customer.example>',
        'Cc: team: carol@customer.example, bob@customer.example;, not-an-address',
        'Subject: hi',
        'Message-ID: <m1@evil.example>',
        '',
        'hello',
      ].join('\r\n'),
    );
    const email = await parseEmail(raw, limits);
    expect(email.authentication).toEqual({
      authservId: 'mx.shop.example',
      results: [
        { method: 'spf', result: 'fail' },
        { method: 'dmarc', result: 'fail' },
      ],
    });
    expect(email.from.address).toBe('mallory@evil.example');
    expect(email.to).toEqual([
      { address: 'support@shop.example', name: 'Support' },
      { address: 'bob@customer.example', name: 'Bob' },
    ]);
    expect(email.cc.map((a) => a.address)).toEqual(['carol@customer.example', 'bob@customer.example']);
  });
});
