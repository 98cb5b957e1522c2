// Tests for src/simulators/common/personal-data.ts (added with the Benevity and Workday simulators).
import { describe, expect, it } from 'vitest';
import { findPersonalData, looksLikePhone } from '../../../../src/simulators/common/personal-data.ts';

describe('looksLikePhone', () => {
  it.each(['+44 7700 900123', '+447700900123', '(555) 123-4567', '555-123-4567', '555.123.4567', '07700 900123', 'call +1-202-555-0143 now'])(
    'flags %j',
    (value) => expect(looksLikePhone(value)).toBe(true),
  );

  it.each([
    '2025-03-14',
    '2025-03-14T09:30:00+01:00',
    '2025-03-14 10:00',
    '840-530196605',
    '123e4567-e89b-12d3-a456-426614174000',
    '49301827-5512-4e8a-9b1c-0123456789ab', // a UUID whose leading groups are all digits
    '1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef',
    '1234567890123',
    '12345.678901',
    'benevity:evt-0001',
    'prj-12345678',
  ])('does not flag %j', (value) => expect(looksLikePhone(value)).toBe(false));
});

describe('findPersonalData', () => {
  it('reports paths and kinds, never values, hiding personal-looking keys', () => {
    const input = {
      donor: { name: 'Jane', email: 'jane@example.com', nickname: 'ok' },
      metadata: { 'jane@example.com': 'x', '+44 7700 900123': 'y', tel: '555-123-4567' },
      list: ['fine', 'b@c.de'],
      empty: { phone: null },
    };
    expect(findPersonalData(input)).toEqual([
      { path: 'donor.name', kind: 'personal_field' },
      { path: 'donor.email', kind: 'personal_field' },
      { path: 'metadata.<email-like key>', kind: 'email' },
      { path: 'metadata.<phone-like key>', kind: 'phone' },
      { path: 'metadata.tel', kind: 'phone' },
      { path: 'list[1]', kind: 'email' },
    ]);
  });

  it('skips allowed paths only', () => {
    const input = { donor: { name: 'Jane', email: 'jane@example.com' }, note: 'jane@example.com' };
    const allowedPaths = new Set(['donor.name', 'donor.email']);
    expect(findPersonalData(input, { allowedPaths })).toEqual([{ path: 'note', kind: 'email' }]);
    expect(findPersonalData('a@b.io')).toEqual([{ path: '(root)', kind: 'email' }]);
  });
});
