/**
 * US Social Security numbers: AAA-GG-SSSS with dashes or spaces (the same separator twice), and
 * nine bare digits only right after an SSN keyword ("SSN", "social security no.", "soc. sec.").
 * Numbers the SSA never issues are not SSNs: area 000, 666 or 900–999 (ITINs and advertising),
 * group 00, serial 0000.
 */
import type { Detector, Span } from './detector.ts';
import { countDigits, joinedAfter, joinedBefore } from './text.ts';

const GROUPED = /(\d{3})([- ])(\d{2})\2(\d{4})/g;
const BARE = /\d{9}/g;
const KEYWORD = /(?:^|[^\p{L}])(?:ssn|ss#|social[\s_-]+security|soc\.?\s*sec)(?!\p{L})[^\d\n]{0,24}$/iu;
const KEYWORD_WINDOW = 48;

export function isIssuableSsn(area: string, group: string, serial: string): boolean {
  return area !== '000' && area !== '666' && area[0] !== '9' && group !== '00' && serial !== '0000';
}

export const usSsnDetector: Detector = {
  name: 'us_ssn',
  placeholder: '[SSN]',
  find(text) {
    const spans: Span[] = [];
    if (countDigits(text) < 9) return spans;
    GROUPED.lastIndex = 0;
    for (let m = GROUPED.exec(text); m !== null; m = GROUPED.exec(text)) {
      const start = m.index;
      const end = start + m[0].length;
      if (joinedBefore(text, start) || joinedAfter(text, end)) {
        // Not at a token start: retry one character on, where a real number may begin.
        GROUPED.lastIndex = start + 1;
        continue;
      }
      if (isIssuableSsn(m[1]!, m[3]!, m[4]!)) spans.push({ start, end });
    }
    BARE.lastIndex = 0;
    for (let m = BARE.exec(text); m !== null; m = BARE.exec(text)) {
      const start = m.index;
      const end = start + 9;
      if (joinedBefore(text, start) || joinedAfter(text, end)) continue;
      const digits = m[0];
      if (!isIssuableSsn(digits.slice(0, 3), digits.slice(3, 5), digits.slice(5))) continue;
      if (KEYWORD.test(text.slice(Math.max(0, start - KEYWORD_WINDOW), start))) spans.push({ start, end });
    }
    if (spans.length > 1) spans.sort((a, b) => a.start - b.start);
    return spans;
  },
};
