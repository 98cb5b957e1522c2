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

/** Joiners that make two word tokens one (`PRJ-2026`, `2026/11`, `a_b`). */
const HARD_JOINERS = '-/_';
/** Joiners that make two numbers one (`1.2`, `1,234`, `10:30`) but may follow a word (`Tel.`, `No:`). */
const NUMBER_JOINERS = '.,:';

/**
 * Is the token that starts at `start` glued to what precedes it? A word character directly
 * before, a hard joiner after a word character, or a number joiner after a digit.
 */
export function joinedBefore(text: string, start: number): boolean {
  if (isWordCharAt(text, start - 1)) return true;
  const before = text[start - 1];
  if (before === undefined) return false;
  if (HARD_JOINERS.includes(before)) return isWordCharAt(text, start - 2);
  if (NUMBER_JOINERS.includes(before)) return isDigitAt(text, start - 2);
  return false;
}

/** Is the token that ends at `end` glued to what follows it? Mirror of `joinedBefore`. */
export function joinedAfter(text: string, end: number): boolean {
  if (isWordCharAt(text, end)) return true;
  const after = text[end];
  if (after === undefined) return false;
  if (HARD_JOINERS.includes(after)) return isWordCharAt(text, end + 1);
  if (NUMBER_JOINERS.includes(after)) return isDigitAt(text, end + 1);
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
