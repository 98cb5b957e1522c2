import { describe, expect, it } from 'vitest';
import { scanValue } from '../../../../src/redaction/detectors/index.ts';
import { int, seededRandom, type Random } from '../../../fixtures/pii/generate.ts';

describe('scanValue', () => {
  it('reports findings by JSON path, keys included', () => {
    const body = {
      donor: { email: 'ada@example.com', name: 'Ada' },
      records: [{ note: 'fine' }, { note: 'call +44 7700 900123 or mail grace@example.org' }],
      metadata: { 'linus@kernel.org': 'key holds an email', 'odd key': '203.0.113.7' },
      amount: 2500,
      card: 4111111111111111,
    };
    expect(scanValue(body)).toEqual([
      { path: 'donor.email', detector: 'email' },
      { path: 'records[1].note', detector: 'phone' },
      { path: 'records[1].note', detector: 'email' },
      { path: 'metadata["[EMAIL]"]', detector: 'email' },
      { path: 'metadata["odd key"]', detector: 'ip_address' },
      { path: 'card', detector: 'payment_card' },
    ]);
  });

  it('never includes a matched value, not even one held in a key', () => {
    const values = ['ada@example.com', '+44 7700 900123', 'GB82 WEST 1234 5698 7654 32', 'AB123456C', '123-45-6789'];
    const body = {
      inKeys: Object.fromEntries(values.map((v) => [v, 'clean'])),
      inValues: values.map((v) => `value ${v}`),
    };
    const findings = scanValue(body);
    expect(findings).toHaveLength(values.length * 2);
    const serialized = JSON.stringify(findings);
    for (const v of values) expect(serialized).not.toContain(v);
    for (const v of values) expect(serialized).not.toContain(v.replace(/\s/g, ''));
  });

  it('prefixes paths with the given root and reports a top-level string at the root', () => {
    expect(scanValue({ a: ['x@y.com'] }, 'body')).toEqual([{ path: 'body.a[0]', detector: 'email' }]);
    expect(scanValue('x@y.com')).toEqual([{ path: '', detector: 'email' }]);
    expect(scanValue(['x@y.com'])).toEqual([{ path: '[0]', detector: 'email' }]);
  });

  it('reports each (path, detector) once', () => {
    expect(scanValue({ note: 'a@x.com, b@y.com, c@z.com' })).toEqual([{ path: 'note', detector: 'email' }]);
  });

  it('reports a key and its value at the same path, the key scrubbed', () => {
    expect(scanValue({ m: { 'a@x.com': 'b@y.com', 'c@z.com': 'AB123456C' } })).toEqual([
      { path: 'm["[EMAIL]"]', detector: 'email' },
      { path: 'm["[EMAIL]"]', detector: 'uk_nino' },
    ]);
  });

  it('ignores null, booleans, fractions, undefined and empty containers', () => {
    expect(scanValue({ a: null, b: true, c: 1.5, d: undefined, e: [], f: {} })).toEqual([]);
  });

  it('terminates on cyclic values', () => {
    const node: Record<string, unknown> = { email: 'a@x.com' };
    node.self = node;
    expect(scanValue(node)).toEqual([{ path: 'email', detector: 'email' }]);
  });

  it('finds nothing in realistic redacted delivery bodies (ids, pseudonyms, sealed contact, timestamps)', () => {
    const random = seededRandom(11);
    const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(random, 0, 255)));
    const uuid = (r: Random) => {
      const hex = Buffer.from(Array.from({ length: 16 }, () => int(r, 0, 255))).toString('hex');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    };
    const flagged: unknown[] = [];
    for (let i = 0; i < 2_000; i++) {
      const occurredAt = new Date(Date.UTC(2026, 0, 1) + int(random, 0, 365 * 24 * 3600) * 1000).toISOString();
      const body = {
        externalId: bytes(32).toString('hex'),
        participantId: bytes(32).toString('hex'),
        occurredAt,
        reportingPeriod: occurredAt.slice(0, 7),
        projectId: `prj-${int(random, 1, 500)}`,
        metadata: { impactInEventId: uuid(random), impactInKeyId: `k${int(random, 1, 9)}` },
        contact: { sealed: bytes(int(random, 40, 120)).toString('base64'), keyId: 'contact-2026-11' },
        redaction: { policyVersion: '2026-11-28.2', redactedAt: occurredAt },
        impactDimensions: [{ name: 'donation_amount', value: int(random, 100, 5_000_000), unit: 'GBP_minor' }],
      };
      const findings = scanValue(body);
      if (findings.length > 0) flagged.push({ body, findings });
    }
    expect(flagged).toEqual([]);
  });
});
