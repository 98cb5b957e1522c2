/**
 * Character-level helpers shared by the detectors: word-character tests that are cheap for ASCII,
 * the "glued to a neighbouring token" test that keeps a detector from matching the middle of a
 * longer id (PRJ-2026-0042, a UUID segment, 1.2.3.4.5), and a digit counter for pre-checks.
 */

const NON_ASCII_WORD = /^[\p{L}\p{N}\p{M}]$/u;

export function isDigitCode(code: number): boolean {
  return code >= 48 && code <= 57;
}

export function isAsciiLetterCode(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** Letter, digit, mark or underscore (any script), at index `i`; false outside the string. */
export function isWordCharAt(text: string, i: number): boolean {
  if (i < 0 || i >= text.length) return false;
  const code = text.charCodeAt(i);
  if (code < 128) return isDigitCode(code) || isAsciiLetterCode(code) || code === 95;
  const point = text.codePointAt(i);
  // A low surrogate is the second half of a character already judged by its high surrogate.
  if (point === undefined || (code >= 0xdc00 && code <= 0xdfff)) return false;
  return NON_ASCII_WORD.test(String.fromCodePoint(point));
}

export function isDigitAt(text: string, i: number): boolean {
  return i >= 0 && i < text.length && isDigitCode(text.charCodeAt(i));
}

/** Letter, digit or mark (any script) at index `i` — a word character other than `_`. */
export function isAlnumAt(text: string, i: number): boolean {
  return isWordCharAt(text, i) && text.charCodeAt(i) !== 95;
}

/** Joiners that continue a number (`2026-11`, `2026/11`, `1_000`) when a digit stands on their other side. */
const HARD_JOINERS = '-/_';
/** Joiners that make two numbers one (`1.2`, `1,234`, `10:30`) but may follow a word (`Tel.`, `No:`). */
const NUMBER_JOINERS = '.,:';

/** How far a joiner's neighbouring token is looked at (a UUID segment is 12). */
const TOKEN_LOOK = 32;

/** Does the alphanumeric token that runs from `from` in direction `step` (±1) hold a digit? */
function tokenHasDigit(text: string, from: number, step: 1 | -1): boolean {
  for (let i = from, n = 0; n < TOKEN_LOOK && isAlnumAt(text, i); i += step, n++) if (isDigitAt(text, i)) return true;
  return false;
}

/**
 * Is the token that starts at `start` glued to what precedes it? What decides is what stands
 * right outside the value: a letter or digit makes it part of a longer token (`PRJ2026…`,
 * `a1b2c3…`), a number joiner after a digit continues the number (`1.2…`, `10:…`), and a hard
 * joiner after a token that holds digits continues a code (`2026-…`, UUID segments
 * `c06a9fae-0097-…`). Punctuation, `_`, `/`, `-` and brackets after a word of letters do not:
 * `tel_…`, `ref/…`, `word-…`, `prj-…`, `id=(…` are how people and systems write values next
 * to labels.
 */
export function joinedBefore(text: string, start: number): boolean {
  if (isAlnumAt(text, start - 1)) return true;
  const before = text[start - 1];
  if (before === undefined) return false;
  if (NUMBER_JOINERS.includes(before)) return isDigitAt(text, start - 2);
  if (HARD_JOINERS.includes(before)) return tokenHasDigit(text, start - 2, -1);
  return false;
}

/** Is the token that ends at `end` glued to what follows it? Mirror of `joinedBefore`. */
export function joinedAfter(text: string, end: number): boolean {
  if (isAlnumAt(text, end)) return true;
  const after = text[end];
  if (after === undefined) return false;
  if (NUMBER_JOINERS.includes(after)) return isDigitAt(text, end + 1);
  if (HARD_JOINERS.includes(after)) return tokenHasDigit(text, end + 1, 1);
  return false;
}

// Several detectors ask for the digit count of the same string in a row (scrubText runs them one
// after another): remember the last answer rather than count again.
let lastText: string | undefined;
let lastCount = 0;

/** How many ASCII digits `text` holds. */
export function countDigits(text: string): number {
  if (text === lastText) return lastCount;
  let count = 0;
  for (let i = 0; i < text.length; i++) if (isDigitCode(text.charCodeAt(i))) count++;
  lastText = text;
  lastCount = count;
  return count;
}

/** Keep only spans that do not overlap an earlier kept one (input sorted by start). */
export function nonOverlapping(spans: readonly { start: number; end: number }[]): { start: number; end: number }[] {
  const kept: { start: number; end: number }[] = [];
  let lastEnd = -1;
  for (const span of spans) {
    if (span.start >= lastEnd) {
      kept.push(span);
      lastEnd = span.end;
    }
  }
  return kept;
}
