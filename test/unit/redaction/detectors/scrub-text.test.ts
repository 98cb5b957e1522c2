import { describe, expect, it } from 'vitest';
import {
  DETECTOR_NAMES,
  DETECTORS,
  scrubText,
  type Detector,
} from '../../../../src/redaction/detectors/index.ts';
import { resolveFindings } from '../../../../src/redaction/detectors/resolve.ts';
import { embedInSentence, generatePiiCorpus, seededRandom } from '../../../fixtures/pii/generate.ts';

describe('scrubText', () => {
  it('replaces every finding with its placeholder and counts per detector', () => {
    const text =
      'Ada (ada@example.com, +44 7700 900123 or 020 7946 0018) paid with 4111 1111 1111 1111 from ' +
      'GB82 WEST 1234 5698 7654 32; SSN 123-45-6789, NINO AB 12 34 56 C, from 203.0.113.7 on 2026-11-28.';
    const result = scrubText(text);
    expect(result.text).toBe(
      'Ada ([EMAIL], [PHONE] or [PHONE]) paid with [CARD] from [IBAN]; SSN [SSN], NINO [NINO], from [IP] on 2026-11-28.',
    );
    expect(result.counts).toEqual({ email: 1, phone: 2, payment_card: 1, iban: 1, us_ssn: 1, uk_nino: 1, ip_address: 1 });
  });

  it('returns clean text unchanged with no counts', () => {
    const text = 'Tree planting on 28/11/2026 at 10:30, 12 volunteers, £1,250.00 raised (PRJ-2026-0042, v2.4.1).';
    expect(scrubText(text)).toEqual({ text, counts: {} });
  });

  it('replaces an IBAN once, not its phone-shaped digits as well', () => {
    // "0112 3456 7890" inside this IBAN is shaped like a national phone number on its own.
    const result = scrubText('pay to FR76 3000 6000 0112 3456 7890 189 please');
    expect(result).toEqual({ text: 'pay to [IBAN] please', counts: { iban: 1 } });
  });

  it('replaces an email whose local part is a phone number once, as an email', () => {
    expect(scrubText('text 07700900123@sms.example.com')).toEqual({ text: 'text [EMAIL]', counts: { email: 1 } });
  });

  it('an SSN that a phone keyword precedes is counted as an SSN (tie goes to the detector listed first)', () => {
    expect(scrubText('call 123-45-6789')).toEqual({ text: 'call [SSN]', counts: { us_ssn: 1 } });
  });

  it('is idempotent: placeholders are not findings', () => {
    const once = scrubText('mail ada@example.com or call 07700 900123').text;
    expect(scrubText(once)).toEqual({ text: once, counts: {} });
  });

  it('keeps surrounding non-ASCII text intact', () => {
    expect(scrubText('Merci 🙏 — écrivez à zoë@société.fr ou 06 12 34 56 78 ✨')).toEqual({
      text: 'Merci 🙏 — écrivez à [EMAIL] ou [PHONE] ✨',
      counts: { email: 1, phone: 1 },
    });
  });

  it('handles the empty string and text without digits or @', () => {
    expect(scrubText('')).toEqual({ text: '', counts: {} });
    expect(scrubText('Beach clean-up with Oxfam')).toEqual({ text: 'Beach clean-up with Oxfam', counts: {} });
  });
});

describe('DETECTORS', () => {
  it('each returns ordered, non-overlapping, non-empty spans within the text', () => {
    const random = seededRandom(8);
    const texts = generatePiiCorpus({ seed: 8, perFormat: 5 }).map((s) => `${embedInSentence(s.embed, random)} ${s.embed}`);
    for (const detector of DETECTORS) {
      for (const text of texts) {
        let last = 0;
        for (const { start, end } of detector.find(text)) {
          expect(start, `${detector.name} in ${text}`).toBeGreaterThanOrEqual(last);
          expect(end).toBeGreaterThan(start);
          expect(end).toBeLessThanOrEqual(text.length);
          last = end;
        }
      }
    }
  });

  it('holds one detector per name, each with a bracketed placeholder', () => {
    expect(DETECTORS.map((d) => d.name).sort()).toEqual([...DETECTOR_NAMES].sort());
    for (const detector of DETECTORS) expect(detector.placeholder).toMatch(/^\[[A-Z]+\]$/);
  });

  it('lists the checksum-validated kinds before phone, so ties resolve to them', () => {
    const rank = (name: string) => DETECTORS.findIndex((d) => d.name === name);
    expect(rank('iban')).toBeLessThan(rank('phone'));
    expect(rank('payment_card')).toBeLessThan(rank('phone'));
    expect(rank('us_ssn')).toBeLessThan(rank('phone'));
    expect(DETECTORS.at(-2)!.name).toBe('phone');
    expect(DETECTORS.at(-1)!.name).toBe('person_name');
  });
});

describe('resolveFindings', () => {
  const fake = (name: Detector['name'], spans: { start: number; end: number }[]): Detector => ({
    name,
    placeholder: `[${name}]`,
    find: () => spans,
  });

  it('merges partly overlapping findings into one cluster won by the longest', () => {
    const findings = resolveFindings('x'.repeat(40), [fake('email', [{ start: 0, end: 10 }]), fake('phone', [{ start: 8, end: 20 }])]);
    expect(findings.map((f) => [f.start, f.end, f.detector.name])).toEqual([[0, 20, 'phone']]);
  });

  it('breaks a length tie by detector order, and keeps separate findings separate', () => {
    const findings = resolveFindings('x'.repeat(40), [
      fake('iban', [{ start: 5, end: 15 }]),
      fake('phone', [
        { start: 5, end: 15 },
        { start: 20, end: 25 },
      ]),
    ]);
    expect(findings.map((f) => [f.start, f.end, f.detector.name])).toEqual([
      [5, 15, 'iban'],
      [20, 25, 'phone'],
    ]);
  });

  it('touching findings are not merged', () => {
    const findings = resolveFindings('x'.repeat(40), [fake('email', [{ start: 0, end: 10 }]), fake('phone', [{ start: 10, end: 12 }])]);
    expect(findings).toHaveLength(2);
  });
});
