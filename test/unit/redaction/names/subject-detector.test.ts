import { describe, expect, it } from 'vitest';
import { scrubText } from '../../../../src/redaction/detectors/index.ts';
import { subjectDetectors } from '../../../../src/redaction/names/subject-detector.ts';
import { denyListDetector } from '../../../../src/redaction/names/deny-list.ts';

const subject = subjectDetectors({ name: 'José María García-López', email: 'jose.garcia@example.com', phone: '+44 7700 900123' });
const scrub = (text: string) => scrubText(text, subject).text;

describe("the subject's own name, email and phone", () => {
  it.each([
    ['the full name', 'Thanks José María García-López!', 'Thanks [NAME]!'],
    ['a part, without diacritics, upper case', 'JOSE was great', '[NAME] was great'],
    ['the surname part', 'Lopez and Garcia', '[NAME] and [NAME]'],
    ['the email', 'mail jose.garcia@example.com now', 'mail [EMAIL] now'],
    ['the phone, national', 'call 07700 900123 after 6', 'call [PHONE] after 6'],
    ['the phone, glued in an id', 'p-0044-7700-900123', 'p-[PHONE]'],
    ['the phone, another grouping', 'tel 7700-900-123', 'tel [PHONE]'],
    ['the phone, with a year after it', 'on 2026 07700900123 2026', 'on 2026 [PHONE] 2026'],
  ])('scrubs %s', (_why, text, expected) => {
    expect(scrub(text)).toBe(expected);
  });

  it('scrubs the email local part, and its words', () => {
    const detectors = subjectDetectors({ email: 'jg.volunteer77@example.com' });
    expect(scrubText('user jg.volunteer77 logged in; volunteer77 too', detectors).text).toBe('user [EMAIL] logged in; [EMAIL] too');
  });

  it("takes no term from the domain of a spelled-out address (an id like org-1 stays)", () => {
    const detectors = subjectDetectors({ email: 'alan dot turing at hooli dot org' });
    expect(scrubText('org-1 for turing; alan dot turing at hooli dot org', detectors).text).toBe('org-1 for [EMAIL]; [EMAIL]');
  });

  it('leaves words that merely contain a part', () => {
    expect(scrub('Banana joseph garciaz')).toBe('Banana joseph garciaz');
  });

  it('matches a Han name anywhere, without spaces', () => {
    expect(scrubText('感谢王秀英的帮助', subjectDetectors({ name: '王秀英' })).text).toBe('感谢[NAME]的帮助');
  });

  it('has nothing to look for when the event says nothing about its subject', () => {
    expect(subjectDetectors({})).toEqual([]);
  });
});

describe('tenant deny-list', () => {
  it('removes listed names and terms, case- and diacritic-insensitively, as whole words', () => {
    const denied = denyListDetector(['Zoë Quartermaine', 'Project Nightjar'])!;
    expect(scrubText('zoe quartermaine and PROJECT NIGHTJAR; Nightjars', [denied]).text).toBe('[REDACTED] and [REDACTED]; Nightjars');
  });

  it('is absent for an empty list', () => {
    expect(denyListDetector([])).toBeUndefined();
    expect(denyListDetector(undefined)).toBeUndefined();
  });
});
