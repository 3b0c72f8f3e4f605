import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.ts';

describe('configuration from the environment', () => {
  it('starts on embedded defaults with nothing set', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir).toMatch(/data$/);
    expect(config.publicUrl).toBe('http://localhost:3000');
    // No proxy is trusted unless named: X-Forwarded-For from a client counts for nothing.
    expect(config.trustProxy).toBe(false);
    expect(config.visitorTokenIdleDays).toBe(30);
  });

  it('reads RETENTION_GRACE_HOURS: 24 by default, 0 for none, never negative', () => {
    expect(loadConfig({}).retentionGraceHours).toBe(24);
    expect(loadConfig({ RETENTION_GRACE_HOURS: '0' }).retentionGraceHours).toBe(0);
    expect(loadConfig({ RETENTION_GRACE_HOURS: '72' }).retentionGraceHours).toBe(72);
    expect(() => loadConfig({ RETENTION_GRACE_HOURS: '-1' })).toThrow(/RETENTION_GRACE_HOURS must be an integer/);
    expect(() => loadConfig({ RETENTION_GRACE_HOURS: '9000' })).toThrow(/RETENTION_GRACE_HOURS must be between/);
  });

  it('reads TRUST_PROXY as a list of proxy addresses', () => {
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.11, 10.0.0.0/24,::1,fd00::/8,loopback' }).trustProxy).toEqual([
      '10.0.0.11',
      '10.0.0.0/24',
      '::1',
      'fd00::/8',
      'loopback',
    ]);
  });

  it.each([
    ['PORT', 'eighty', /PORT must be an integer/],
    ['PORT', '70000', /PORT must be between/],
    ['DATABASE_URL', 'mysql://x@y/z', /DATABASE_URL must use postgres/],
    ['DATABASE_URL', 'not a url', /DATABASE_URL is not a valid URL/],
    ['REDIS_URL', 'http://localhost:6379', /REDIS_URL must use redis/],
    ['REDIS_PREFIX', 'two words', /REDIS_PREFIX must be 1-64 characters/],
    ['PUBLIC_URL', 'ftp://example.com', /PUBLIC_URL must use http/],
    ['ADMIN_EMAIL', 'not-an-email', /ADMIN_EMAIL must be an email/],
    ['ADMIN_PASSWORD', 'short', /ADMIN_PASSWORD must be at least 10/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL must be one of/],
    ['SEED_DEMO', 'maybe', /SEED_DEMO must be true or false/],
    ['TRUST_PROXY', 'true', /TRUST_PROXY must be a comma-separated list of the proxies' IP addresses/],
    ['TRUST_PROXY', '1', /"1" is none of these/],
    ['TRUST_PROXY', '10.0.0.1, proxy.example.com', /"proxy.example.com" is none of these/],
    ['TRUST_PROXY', '10.0.0.0/33', /"10.0.0.0\/33" is none of these/],
    ['TRUST_PROXY', '10.0.0.1,', /"" is none of these/],
    ['VISITOR_TOKEN_IDLE_DAYS', '0', /VISITOR_TOKEN_IDLE_DAYS must be between 1 and 3650/],
  ])('rejects a bad %s with a message naming it', (variable, value, message) => {
    let error: unknown;
    try {
      loadConfig({ [variable]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as Error).message).toMatch(message);
  });
});
