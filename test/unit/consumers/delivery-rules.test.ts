import { describe, expect, test } from 'vitest';
import { settleDelayMs } from '../../../src/consumers/delivery-rules.ts';
import { ImpactError } from '../../../src/domain/errors.ts';

describe('settleDelayMs: the wait before looking up a send that went unanswered', () => {
  test('a send left without an answer waits the settle time before its lookup', () => {
    expect(settleDelayMs(new ImpactError('OUTCOME_UNKNOWN', 'UND_ERR_HEADERS_TIMEOUT'), true, 3_000)).toBe(3_000);
  });

  test('the send that opened the breaker without an answer waits too', () => {
    const opened = new ImpactError('CIRCUIT_OPEN', 'opened', { cause: new ImpactError('OUTCOME_UNKNOWN', 'reset') });
    expect(settleDelayMs(opened, true, 3_000)).toBe(3_000);
  });

  test('an answered failure (5xx, 429) or a failed lookup needs no settling', () => {
    expect(settleDelayMs(new ImpactError('PLATFORM_UNAVAILABLE', '503'), true, 3_000)).toBe(0);
    expect(settleDelayMs(new ImpactError('PLATFORM_RATE_LIMITED', '429'), true, 3_000)).toBe(0);
    expect(settleDelayMs(new ImpactError('OUTCOME_UNKNOWN', 'lookup reset'), false, 3_000)).toBe(0);
    expect(settleDelayMs(new ImpactError('CIRCUIT_OPEN', 'open'), true, 3_000)).toBe(0);
  });
});
