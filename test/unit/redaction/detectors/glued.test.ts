/**
 * Values as people and systems write them: glued to punctuation, `_`, `/`, `-` and brackets, with
 * extensions and suffixes, split by mixed separators, inside URLs, paths and ids. Letters or
 * digits right outside a value (or a code that holds digits before a joiner) keep it doubtful.
 */
import { describe, expect, it } from 'vitest';
import {
  ibanDetector,
  phoneDetector,
  scrubText,
  ukNinoDetector,
  usSsnDetector,
} from '../../../../src/redaction/detectors/index.ts';
import { matches } from './helpers.ts';

describe('phones glued to punctuation', () => {
  it.each([
    ['word-555-123-4567 called', '555-123-4567'],
    ['tel_+447700900123', '+447700900123'],
    ['tel_07700 900123', '07700 900123'],
    ['tel+447700900123', '+447700900123'],
    ['(555) 123-4567-x', '(555) 123-4567'],
    ['call (555) 123-4567 ext. 12 now', '(555) 123-4567 ext. 12'],
    ['555-123-4567 x1234', '555-123-4567 x1234'],
    ['555.123-4567', '555.123-4567'],
    ['020 7946-0018', '020 7946-0018'],
    ['ref/+33 6 12 34 56 78/end', '+33 6 12 34 56 78'],
    ['https://crm.example/people/+14155550123/edit', '+14155550123'],
    ['prj-555-123-4567', '555-123-4567'],
    ['p-07700900123', '07700900123'],
    ['[+44 20 7946 0018]', '+44 20 7946 0018'],
    ['phone=0612345678&x=1', '0612345678'],
  ])('finds it in %j', (text, expected) => {
    expect(matches(phoneDetector, text)).toEqual([expected]);
  });

  it.each([
    ['a UUID segment', 'c06a9fae-0097-5980-9399-df37c870a6a1'],
    ['a code that holds digits before the dash', 'INV2026-555-123-4567'],
    ['letters right before', 'abc555-123-4567'],
    ['digits right after', '555-123-45678'],
    ['a date range', '2026-11-28/2026-12-05'],
  ])('finds nothing in %s', (_why, text) => {
    expect(phoneDetector.find(text)).toEqual([]);
  });
});

describe('IBANs, NINOs and SSNs glued to punctuation', () => {
  it.each([
    ['iban_GB82WEST12345698765432', 'GB82WEST12345698765432'],
    ['/accounts/GB82WEST12345698765432/', 'GB82WEST12345698765432'],
    ['GB82-WEST-1234-5698-7654-32', 'GB82-WEST-1234-5698-7654-32'],
    ['(DE89370400440532013000)-x', 'DE89370400440532013000'],
  ])('finds the IBAN in %j', (text, expected) => {
    expect(matches(ibanDetector, text)).toEqual([expected]);
  });

  it('finds a NINO after an underscore and before a dash', () => {
    expect(matches(ukNinoDetector, 'nino_AB123456C-x')).toEqual(['AB123456C']);
  });

  it('finds an SSN inside a path', () => {
    expect(matches(usSsnDetector, '/people/123-45-6789/')).toEqual(['123-45-6789']);
  });

  it('keeps a doubtful IBAN glued to letters', () => {
    expect(ibanDetector.find('XGB82WEST12345698765432')).toEqual([]);
  });
});

describe('IP addresses after a label', () => {
  it('finds an IPv4 before a dash suffix and an IPv6 after a label colon', () => {
    expect(scrubText('ip 10.1.2.3-x, usr:2001:db8::ed98:fd29:3430').text).toBe('ip [IP]-x, usr:[IP]');
  });
});

describe('scrubText on glued values', () => {
  it('leaves the labels and replaces the values', () => {
    expect(scrubText('tel_+447700900123, ref/4111111111111111, iban_GB82WEST12345698765432').text).toBe(
      'tel_[PHONE], ref/[CARD], iban_[IBAN]',
    );
  });
});
