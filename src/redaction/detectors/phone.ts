/**
 * Phone numbers, international and national, at least 7 significant digits. The scan finds runs
 * of digits joined by spaces, dashes, dots, parentheses and (for DE) a slash; `isPhoneRun` says
 * whether a run — or its longest contiguous part, so "020 7946 0018 2026" still finds the
 * number — has the shape of a phone number. See phone-shapes.ts for the rules.
 */
import type { Detector, Span } from './detector.ts';
import { isPhoneRun } from './phone-shapes.ts';
import { countDigits, isAlnumAt, isDigitAt, isDigitCode, joinedAfter, joinedBefore } from './text.ts';

// One character class then a digit: a single quantifier, so a failed match costs one pass.
const CANDIDATE = /\+?\(?\d[\d ().\-/\u00a0\u2009\u202f]*\d/g;
const KEYWORD =
  /(?:^|[^\p{L}])(?:phone|tel|t[ée]l[ée]phone|telefon|mobile|mob|cell|cellphone|call|fax|whats ?app|sms|text|ring|handy|portable|ph)(?!\p{L})[^\d\n]{0,16}$/iu;
/**
 * An extension written right after the number, part of the finding: `ext. 12`, `x1234`, `#12`.
 * (A suffix such as the `-x` of `(NPA) NXX-XXXX-x` is no part of it, and does not glue.)
 */
const EXTENSION = /\s*(?:ext\.?|extn\.?|extension|x|#)\s*\d{1,6}(?!\d)/iuy;
const KEYWORD_WINDOW = 32;
/** Groups beyond this are not one phone number (the longest, +33 6 12 34 56 78, has six). */
const MAX_GROUPS = 8;

interface Group {
  readonly start: number;
  readonly end: number;
  readonly digits: string;
}

function isSpaceCode(code: number): boolean {
  return code === 0x20 || code === 0xa0 || code === 0x2009 || code === 0x202f;
}

function tokenize(text: string, from: number, to: number): { groups: Group[]; seps: string[] } {
  const groups: Group[] = [];
  const seps: string[] = [];
  let i = from;
  while (i < to) {
    let sep = '';
    while (i < to && !isDigitCode(text.charCodeAt(i))) {
      const code = text.charCodeAt(i);
      sep += isSpaceCode(code) ? ' ' : text[i];
      i++;
    }
    const start = i;
    while (i < to && isDigitCode(text.charCodeAt(i))) i++;
    if (groups.length > 0) seps.push(sep);
    groups.push({ start, end: i, digits: text.slice(start, i) });
  }
  return { groups, seps };
}

function hasKeyword(text: string, start: number): boolean {
  return KEYWORD.test(text.slice(Math.max(0, start - KEYWORD_WINDOW), start));
}

/**
 * Cheap structural filter before building a run: 7–17 digits (15 + a `00` prefix), and at most
 * two one-digit groups (`+33 (0)6 12 …` has two; a list like `1 2 3 4 5 6 7` has many).
 */
function plausible(groups: readonly Group[], i: number, j: number): boolean {
  let digits = 0;
  let singles = 0;
  for (let k = i; k < j; k++) {
    const length = groups[k]!.end - groups[k]!.start;
    digits += length;
    if (length === 1 && ++singles > 2) return false;
  }
  return digits >= 7 && digits <= 17;
}

/** The phone number in groups [i, j) of a candidate, or undefined. */
function accept(
  text: string,
  groups: readonly Group[],
  seps: readonly string[],
  i: number,
  j: number,
  lead: { plus: boolean; openParen: boolean },
): Span | undefined {
  if (!plausible(groups, i, j)) return undefined;
  const firstGroup = groups[i]!;
  const plus = i === 0 && lead.plus;
  // A `(` opens an area code only when it closes right after the first group: `(555) 123-4567`.
  // Otherwise it merely brackets the number, `(07700 900123)`, and is not part of it.
  const opened = i === 0 ? lead.openParen : seps[i - 1]!.endsWith('(');
  const openParen = opened && j > i + 1 && seps[i]!.startsWith(')');
  let start = firstGroup.start;
  if (openParen) start--;
  if (plus) start--;
  let end = groups[j - 1]!.end;
  if (j === groups.length) {
    EXTENSION.lastIndex = end;
    if (EXTENSION.exec(text)) end = EXTENSION.lastIndex;
  }
  // A letter right before a `+` does not glue: `tel+44…`, `mob+1…` (the `+` is signal enough).
  const letterBeforePlus = plus && isAlnumAt(text, start - 1) && !isDigitAt(text, start - 1);
  const gluedBefore = joinedBefore(text, start) && !letterBeforePlus;
  if (gluedBefore || joinedAfter(text, end)) return undefined;
  const isPhone = isPhoneRun({
    groups: groups.slice(i, j).map((g) => g.digits),
    seps: seps.slice(i, j - 1),
    plus,
    openParen,
    keyword: () => hasKeyword(text, start),
  });
  return isPhone ? { start, end } : undefined;
}

export const phoneDetector: Detector = {
  name: 'phone',
  placeholder: '[PHONE]',
  find(text) {
    const spans: Span[] = [];
    if (countDigits(text) < 7) return spans;
    CANDIDATE.lastIndex = 0;
    for (let m = CANDIDATE.exec(text); m !== null; m = CANDIDATE.exec(text)) {
      // Most numbers in prose are short (3 volunteers, 2026, 10:30): fewer than 7 characters
      // cannot hold 7 digits.
      if (m[0].length < 7) continue;
      let from = m.index;
      const plus = text[from] === '+';
      if (plus) from++;
      const openParen = text[from] === '(';
      if (openParen) from++;
      const { groups, seps } = tokenize(text, from, m.index + m[0].length);
      // Longest part first, earliest first: the whole run, then ever shorter ones.
      for (let i = 0; i < groups.length; ) {
        let next = i + 1;
        for (let j = Math.min(groups.length, i + MAX_GROUPS); j > i; j--) {
          const found = accept(text, groups, seps, i, j, { plus, openParen });
          if (found) {
            spans.push(found);
            next = j;
            break;
          }
        }
        i = next;
      }
    }
    return spans;
  },
};
