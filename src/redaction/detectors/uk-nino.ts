/**
 * UK National Insurance numbers: two prefix letters, six digits, suffix A–D, as AB123456C or
 * spaced (AB 12 34 56 C, AB 123456 C). Prefix rules (HMRC): the first letter is not D F I Q U V,
 * the second not D F I O Q U V, and BG GB KN NK NT TN ZZ are never issued. Lower case is accepted
 * only in the compact form (ab123456c): spaced lower-case letters around digits are too often
 * ordinary words.
 */
import type { Detector, Span } from './detector.ts';
import { countDigits, isAlnumAt } from './text.ts';

const NINO = /([A-Za-z]{2}) ?(\d{2}) ?(\d{2}) ?(\d{2}) ?([A-Da-d])/g;
const FIRST = /[A-CEGHJ-PR-TW-Z]/;
const SECOND = /[A-CEGHJ-NPR-TW-Z]/;
const NEVER_ISSUED = new Set(['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ']);

export function isValidNinoPrefix(prefix: string): boolean {
  return FIRST.test(prefix[0] ?? '') && SECOND.test(prefix[1] ?? '') && !NEVER_ISSUED.has(prefix);
}

function consistentCase(match: string): boolean {
  if (match === match.toUpperCase()) return true;
  return match === match.toLowerCase() && !match.includes(' ');
}

export const ukNinoDetector: Detector = {
  name: 'uk_nino',
  placeholder: '[NINO]',
  find(text) {
    const spans: Span[] = [];
    if (countDigits(text) < 6) return spans;
    NINO.lastIndex = 0;
    for (let m = NINO.exec(text); m !== null; m = NINO.exec(text)) {
      const start = m.index;
      const end = start + m[0].length;
      const ok =
        !isAlnumAt(text, start - 1) &&
        !isAlnumAt(text, end) &&
        consistentCase(m[0]) &&
        isValidNinoPrefix(m[1]!.toUpperCase());
      if (ok) spans.push({ start, end });
      else NINO.lastIndex = start + 1;
    }
    return spans;
  },
};
