import { describe, expect, it } from 'vitest';
import { parseSignatureHeader, verifySignature } from '../../../../src/connectors/benevity/benevity.signature.ts';
import { signBenevityCallback } from '../../../../src/simulators/benevity/benevity.signature.ts';

const SECRET = 'callback-secret-0123456789abcdef';
const BODY = Buffer.from('{"jobId":"job_1","status":"completed","results":[]}');
const NOW = 1_800_000_000;

const verify = (header: string | undefined, body = BODY, nowSeconds = NOW) =>
  verifySignature({ secret: SECRET, header, rawBody: body, nowSeconds, toleranceSeconds: 300 });

describe('verifySignature', () => {
  it('accepts what Benevity signs: HMAC-SHA256 over "<t>.<raw body>"', () => {
    expect(verify(signBenevityCallback(SECRET, BODY, NOW))).toEqual({ ok: true, timestamp: NOW });
  });

  it('accepts a timestamp inside the tolerance window either way, refuses one outside as stale', () => {
    expect(verify(signBenevityCallback(SECRET, BODY, NOW - 300)).ok).toBe(true);
    expect(verify(signBenevityCallback(SECRET, BODY, NOW + 300)).ok).toBe(true);
    expect(verify(signBenevityCallback(SECRET, BODY, NOW - 301))).toEqual({ ok: false, reason: 'stale' });
    expect(verify(signBenevityCallback(SECRET, BODY, NOW + 301))).toEqual({ ok: false, reason: 'stale' });
  });

  it('refuses another secret, a changed body, a changed timestamp', () => {
    expect(verify(signBenevityCallback('another-secret-0123456789', BODY, NOW))).toEqual({ ok: false, reason: 'mismatch' });
    expect(verify(signBenevityCallback(SECRET, BODY, NOW), Buffer.from(`${BODY.toString()} `))).toEqual({ ok: false, reason: 'mismatch' });
    const header = signBenevityCallback(SECRET, BODY, NOW).replace(`t=${NOW}`, `t=${NOW - 1}`);
    expect(verify(header)).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('checks the bytes as received, not a re-serialization', () => {
    const spaced = Buffer.from('{ "jobId": "job_1", "status": "completed", "results": [] }');
    expect(verify(signBenevityCallback(SECRET, BODY, NOW), spaced).ok).toBe(false);
    expect(verify(signBenevityCallback(SECRET, spaced, NOW), spaced).ok).toBe(true);
  });

  it('a stale signature with the wrong secret is reported as a mismatch (signature first)', () => {
    expect(verify(signBenevityCallback('another-secret-0123456789', BODY, NOW - 1000))).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('accepts when any of several v1 values matches (secret rotation)', () => {
    const good = signBenevityCallback(SECRET, BODY, NOW).split('v1=')[1]!;
    const other = signBenevityCallback('old-secret-0123456789abc', BODY, NOW).split('v1=')[1]!;
    expect(verify(`t=${NOW},v1=${other},v1=${good}`).ok).toBe(true);
  });

  it('refuses a missing or malformed header', () => {
    expect(verify(undefined)).toEqual({ ok: false, reason: 'missing' });
    expect(verify('')).toEqual({ ok: false, reason: 'missing' });
    for (const header of ['t=1', 'v1=' + 'a'.repeat(64), 't=abc,v1=' + 'a'.repeat(64), `t=${NOW},v1=short`, 'garbage', `t=${NOW},t=${NOW},v1=${'a'.repeat(64)}`]) {
      expect(verify(header)).toEqual({ ok: false, reason: 'malformed' });
    }
  });
});

describe('parseSignatureHeader', () => {
  it('ignores unknown schemes and tolerates spaces', () => {
    const parsed = parseSignatureHeader(` t=${NOW} , v0=whatever, v1=${'ab'.repeat(32)}`);
    expect(parsed?.timestamp).toBe(NOW);
    expect(parsed?.signatures).toHaveLength(1);
  });
});
