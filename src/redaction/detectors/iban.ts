/**
 * IBANs: country code, two check digits and the country's BBAN, bare or with single spaces or
 * dashes (printed in groups of four, but any single spacing is accepted), after anything but a
 * letter or digit (`iban_GB82…`, `/GB82…`), of the country's exact
 * length, in the country's BBAN structure, and mod 97 == 1. Upper-case only: that is how IBANs
 * are written, and a case-insensitive scan would let base64 and hex tokens through to mod 97.
 */
import { ibanChecksumValid } from './checksums.ts';
import type { Detector, Span } from './detector.ts';
import { IBAN_SPECS } from './iban-registry.ts';
import { isAlnumAt } from './text.ts';

/** Each repetition takes one character after an optional space or dash (no two ways to match a string), at most the longest BBAN (30). */
const CANDIDATE = /[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]){11,30}/g;

function check(text: string, start: number, candidate: string): Span | undefined {
  const spec = IBAN_SPECS.get(candidate.slice(0, 2));
  if (!spec || isAlnumAt(text, start - 1)) return undefined;
  // Take exactly the country's length of characters; what follows must end the token.
  let compact = '';
  let i = 0;
  for (; i < candidate.length && compact.length < spec.length; i++) {
    if (candidate[i] !== ' ' && candidate[i] !== '-') compact += candidate[i];
  }
  if (compact.length < spec.length) return undefined;
  const end = start + i;
  if (isAlnumAt(text, end)) return undefined;
  if (!spec.bban.test(compact.slice(4)) || !ibanChecksumValid(compact)) return undefined;
  return { start, end };
}

export const ibanDetector: Detector = {
  name: 'iban',
  placeholder: '[IBAN]',
  find(text) {
    const spans: Span[] = [];
    if (text.length < 15) return spans;
    CANDIDATE.lastIndex = 0;
    for (let m = CANDIDATE.exec(text); m !== null; m = CANDIDATE.exec(text)) {
      const found = check(text, m.index, m[0]);
      if (found) {
        spans.push(found);
        CANDIDATE.lastIndex = found.end;
      } else {
        // The match may have swallowed the start of a real IBAN after a space ("XX12 GB82 …"):
        // resume right after this candidate's first four characters.
        CANDIDATE.lastIndex = m.index + 4;
      }
    }
    return spans;
  },
};
