import { describe, expect, it } from 'vitest';
import { createJsonCodec } from '../../../src/codec/json-codec.ts';
import { ImpactError } from '../../../src/domain/errors.ts';
import { impactEventSchema } from '../../../src/domain/event.ts';
import { impactEventOf, impactEvents } from '../fixtures.ts';

const codec = createJsonCodec(impactEventSchema);
const SECRETISH = 'zz-distinctive-value-7f3a';

function decodeError(bytes: Buffer | null): ImpactError {
  try {
    codec.decode(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(ImpactError);
    return error as ImpactError;
  }
  throw new Error('decode did not throw');
}

/** The loose shape a test edits before encoding. */
interface EventJson {
  kind: unknown;
  tenantId: unknown;
  payload: Record<string, unknown>;
  subject: Record<string, unknown>;
}

/** JSON of a valid volunteer activity with `change` applied to a deep copy. */
function mutated(change: (event: EventJson) => void): Buffer {
  const event = structuredClone(impactEventOf('volunteer_activity')) as unknown as EventJson;
  change(event);
  return Buffer.from(JSON.stringify(event));
}

describe('createJsonCodec(impactEventSchema)', () => {
  it('round-trips valid events of every kind', () => {
    const events = impactEvents(4);
    expect(new Set(events.map((event) => event.kind)).size).toBe(4);
    for (const event of events) expect(codec.decode(codec.encode(event))).toEqual(event);
  });

  it('encodes to UTF-8 JSON', () => {
    const event = impactEventOf('donation');
    expect(JSON.parse(codec.encode(event).toString('utf8'))).toEqual(event);
  });

  it('rejects bytes that are not JSON with DECODE_FAILED', () => {
    const error = decodeError(Buffer.from(`{"eventId": ${SECRETISH}`));
    expect(error.code).toBe('DECODE_FAILED');
    expect(error.retryable).toBe(false);
    expect(error.message).not.toContain(SECRETISH);
  });

  it('rejects an empty or null value with DECODE_FAILED', () => {
    expect(decodeError(Buffer.alloc(0)).code).toBe('DECODE_FAILED');
    expect(decodeError(null).code).toBe('DECODE_FAILED');
  });

  const invalid: [string, (event: EventJson) => void, string][] = [
    ['a missing field', (e) => delete e.payload.hours, 'payload.hours'],
    ['a wrong type', (e) => (e.payload.hours = SECRETISH), 'payload.hours'],
    ['an unknown kind', (e) => (e.kind = SECRETISH), 'kind'],
    ['an unknown key', (e) => (e.payload.favouriteColour = SECRETISH), 'payload'],
    ['hours of 0', (e) => (e.payload.hours = 0), 'payload.hours'],
    ['hours of 25', (e) => (e.payload.hours = 25), 'payload.hours'],
    ['a subject with a wrong-typed name', (e) => (e.subject.name = { value: SECRETISH }), 'subject.name'],
    ['a tenant that is not a slug', (e) => (e.tenantId = `Upper-${SECRETISH}-X`), 'tenantId'],
  ];
  for (const [what, change, path] of invalid) {
    it(`rejects ${what} with VALIDATION_FAILED naming ${path}, not the value`, () => {
      const error = decodeError(mutated(change));
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.retryable).toBe(false);
      expect(error.message).toContain(path);
      expect(error.message).not.toContain(SECRETISH);
    });
  }

  it('rejects a negative amount and a lowercase currency on donations', () => {
    const donation = impactEventOf('donation');
    const negative = decodeError(Buffer.from(JSON.stringify({ ...donation, payload: { ...donation.payload, amountMinor: -500 } })));
    expect(negative.code).toBe('VALIDATION_FAILED');
    expect(negative.message).toContain('payload.amountMinor');
    expect(negative.message).not.toContain('-500');
    const lower = decodeError(Buffer.from(JSON.stringify({ ...donation, payload: { ...donation.payload, currency: 'gbp' } })));
    expect(lower.code).toBe('VALIDATION_FAILED');
    expect(lower.message).toContain('payload.currency');
    expect(lower.message).not.toContain('gbp');
  });

  it('rejects a JSON value that is not an object with VALIDATION_FAILED', () => {
    expect(decodeError(Buffer.from('null')).code).toBe('VALIDATION_FAILED');
    expect(decodeError(Buffer.from('[1,2]')).code).toBe('VALIDATION_FAILED');
  });

  it('keeps the reason short even when many fields are wrong', () => {
    const error = decodeError(Buffer.from(JSON.stringify({ ...Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i])) })));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message.length).toBeLessThanOrEqual(400);
  });
});
