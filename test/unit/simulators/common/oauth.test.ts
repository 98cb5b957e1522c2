// Tests for src/simulators/common/oauth.ts (added with the Benevity and Workday simulators).
import { describe, expect, it } from 'vitest';
import { TokenIssuer, parseBasicAuth, parseBearer, parseFormBody, secretEquals } from '../../../../src/simulators/common/oauth.ts';

describe('TokenIssuer', () => {
  it('verifies a token until its TTL passes on the injected clock, and counts per subject', () => {
    let now = 1_000_000;
    const issuer = new TokenIssuer({ ttlSeconds: 10, now: () => now });
    const a = issuer.issue('tenant-a');
    issuer.issue('tenant-b');
    issuer.issue('tenant-a');
    expect(a.expiresInSeconds).toBe(10);
    expect(issuer.verify(a.accessToken)).toBe('tenant-a');
    now += 9_999;
    expect(issuer.verify(a.accessToken)).toBe('tenant-a');
    now += 1;
    expect(issuer.verify(a.accessToken)).toBeUndefined();
    expect(issuer.stats()).toEqual({ issued: 3, bySubject: { 'tenant-a': 2, 'tenant-b': 1 }, active: 0, revocations: 0 });
  });

  it('revokeAll invalidates every token; resetStats keeps tokens valid', () => {
    const issuer = new TokenIssuer({ ttlSeconds: 60, now: () => 0 });
    const a = issuer.issue('x');
    issuer.resetStats();
    expect(issuer.verify(a.accessToken)).toBe('x');
    expect(issuer.revokeAll()).toBe(1);
    expect(issuer.verify(a.accessToken)).toBeUndefined();
    expect(issuer.verify(undefined)).toBeUndefined();
    expect(() => new TokenIssuer({ ttlSeconds: 0, now: () => 0 })).toThrow(RangeError);
  });
});

describe('request parsing', () => {
  it('parses Basic, Bearer and form bodies', () => {
    const authorization = `Basic ${Buffer.from('id:se:cret').toString('base64')}`;
    expect(parseBasicAuth({ authorization })).toEqual({ clientId: 'id', clientSecret: 'se:cret' });
    expect(parseBasicAuth({ authorization: `Basic ${Buffer.from('nocolon').toString('base64')}` })).toBeUndefined();
    expect(parseBasicAuth({})).toBeUndefined();
    expect(parseBearer({ authorization: 'Bearer abc.def' })).toBe('abc.def');
    expect(parseBearer({ authorization: 'Basic abc' })).toBeUndefined();
    const form = parseFormBody(Buffer.from('grant_type=refresh_token&refresh_token=a%2Bb'), 'application/x-www-form-urlencoded; charset=utf-8');
    expect(form?.get('refresh_token')).toBe('a+b');
    expect(parseFormBody(Buffer.from('{}'), 'application/json')).toBeUndefined();
    expect(secretEquals('abc', 'abc')).toBe(true);
    expect(secretEquals('abc', 'abd')).toBe(false);
    expect(secretEquals('abc', null)).toBe(false);
  });
});
