/**
 * Case- and diacritic-insensitive matching: text folded to lower case without marks (NFKD, marks
 * stripped, a few letters NFKD leaves alone spelled out: ø, ł, đ, æ, œ, ß, ı), with a map back
 * to the original offsets so a finding in the folded text is a span of the original.
 */

const EXTRA: Readonly<Record<string, string>> = { ø: 'o', ł: 'l', đ: 'd', æ: 'ae', œ: 'oe', ß: 'ss', ı: 'i', ð: 'd', þ: 'th' };
const MARKS = /\p{M}/gu;

export interface Folded {
  readonly text: string;
  /** Original offset of each folded character; undefined when folding kept every offset. */
  readonly map?: readonly number[];
}

/** One string folded, for dictionary keys and terms. */
export function foldKey(value: string): string {
  return foldUncached(value).text;
}

// Folding a character costs a normalisation: remember each answer (the alphabet is small).
const folds = new Map<string, string>();

function foldChar(ch: string): string {
  let piece = folds.get(ch);
  if (piece === undefined) {
    const lower = ch.toLowerCase();
    piece = EXTRA[lower] ?? lower.normalize('NFKD').replace(MARKS, '');
    if (folds.size < 65_536) folds.set(ch, piece);
  }
  return piece;
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 127) return false;
  return true;
}

// The subject's terms and the deny-list fold the same string one after the other: remember the last.
let lastText: string | undefined;
let lastFolded: Folded = { text: '' };

export function fold(text: string): Folded {
  if (text === lastText) return lastFolded;
  lastFolded = foldUncached(text);
  lastText = text;
  return lastFolded;
}

function foldUncached(text: string): Folded {
  if (isAscii(text)) return { text: text.toLowerCase() };
  let out = '';
  const map: number[] = [];
  for (let i = 0; i < text.length; ) {
    const code = text.charCodeAt(i);
    if (code < 128) {
      out += code >= 65 && code <= 90 ? String.fromCharCode(code + 32) : text[i];
      map.push(i);
      i++;
      continue;
    }
    const ch = String.fromCodePoint(text.codePointAt(i)!);
    const piece = foldChar(ch);
    for (let k = 0; k < piece.length; k++) map.push(i);
    out += piece;
    i += ch.length;
  }
  return { text: out, map };
}

/** The original span of the folded span [start, end). */
export function unfold(folded: Folded, original: string, start: number, end: number): { start: number; end: number } {
  if (!folded.map) return { start, end };
  const from = folded.map[start] ?? original.length;
  const to = end >= folded.map.length ? original.length : folded.map[end]!;
  return { start: from, end: to };
}
