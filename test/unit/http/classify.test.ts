import { describe, expect, it } from 'vitest';
import { ImpactError } from '../../../src/domain/errors.ts';
import { classifyNetworkError, classifyStatus, parseRetryAfter } from '../../../src/http/classify.ts';

describe('classifyStatus', () => {
  const cases: [number, string, boolean][] = [
    [400, 'PLATFORM_REJECTED', false],
    [401, 'PLATFORM_AUTH_FAILED', true],
    [403, 'PLATFORM_AUTH_FAILED', true],
    [404, 'PLATFORM_REJECTED', false],
    [408, 'PLATFORM_UNAVAILABLE', true],
    [409, 'PLATFORM_REJECTED', false],
    [422, 'PLATFORM_REJECTED', false],
    [429, 'PLATFORM_RATE_LIMITED', true],
    [500, 'PLATFORM_UNAVAILABLE', true],
    [502, 'PLATFORM_UNAVAILABLE', true],
    [503, 'PLATFORM_UNAVAILABLE', true],
  ];
  for (const [status, code, retryable] of cases) {
    it(`${status} → ${code} (retryable: ${retryable})`, () => {
      const error = classifyStatus(status, `goodera answered ${status}`);
      expect(error).toBeInstanceOf(ImpactError);
      expect(error.code).toBe(code);
      expect(error.retryable).toBe(retryable);
      expect(error.message).toBe(`goodera answered ${status}`);
    });
  }

  it('carries Retry-After seconds on 429 and 503', () => {
    expect(classifyStatus(429, 'slow down', '7').retryAfterMs).toBe(7_000);
    expect(classifyStatus(503, 'down', ['2', '9']).retryAfterMs).toBe(2_000);
    expect(classifyStatus(429, 'slow down').retryAfterMs).toBeUndefined();
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-28T12:00:00.000Z');

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 3 ', now)).toBe(3_000);
  });

  it('reads an HTTP date relative to now, never negative', () => {
    expect(parseRetryAfter('Sat, 28 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sat, 28 Nov 2026 11:59:00 GMT', now)).toBe(0);
  });

  it('is undefined when absent or unreadable', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});

describe('classifyNetworkError', () => {
  const withCode = (code: string) => Object.assign(new Error(`failed: ${code}`), { code });

  for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']) {
    it(`${code} happened before sending → NETWORK_ERROR, retryable`, () => {
      const error = classifyNetworkError(withCode(code));
      expect(error.code).toBe('NETWORK_ERROR');
      expect(error.retryable).toBe(true);
      expect(error.message).toBe(code);
    });
  }

  for (const code of ['ECONNRESET', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_SOCKET', 'EPIPE']) {
    it(`${code} may have happened after sending → OUTCOME_UNKNOWN`, () => {
      const error = classifyNetworkError(withCode(code));
      expect(error.code).toBe('OUTCOME_UNKNOWN');
      expect(error.retryable).toBe(true);
    });
  }

  it('finds the code on a nested cause', () => {
    const wrapped = new Error('fetch failed', { cause: new Error('inner', { cause: withCode('ECONNREFUSED') }) });
    expect(classifyNetworkError(wrapped).code).toBe('NETWORK_ERROR');
  });

  it('treats an error without any code as OUTCOME_UNKNOWN', () => {
    const error = classifyNetworkError(new Error('boom'));
    expect(error.code).toBe('OUTCOME_UNKNOWN');
    expect(error.message).toBe('request failed after it was sent');
  });

  it('makes a refused private destination final', () => {
    const error = classifyNetworkError(withCode('ERR_PRIVATE_ADDRESS'));
    expect(error.code).toBe('NETWORK_ERROR');
    expect(error.retryable).toBe(false);
  });

  it('passes an ImpactError through unchanged', () => {
    const original = new ImpactError('PLATFORM_REJECTED', 'no');
    expect(classifyNetworkError(original)).toBe(original);
  });
});
