/**
 * Names of people in free text and ids, in any script the name lists cover: a dictionary
 * recognizer with context, in the manner of Presidio's pattern recognizers.
 *
 * Scripts written with spaces (Latin, Cyrillic, Greek, Arabic, Hebrew, Devanagari …): two or
 * more words joined by a space, `.`, `_` or `-` are a name when
 * - a known given name is followed by a known surname (`Maria Garcia`, `maria.garcia`,
 *   `prj-ivan-petrov`), in one case style, unless both are common words (`Grace Church`);
 * - in a cased script, a capitalised known given name that is not a common word is followed by
 *   another capitalised word that is not one (`Amara Okonkwo`, `Мария Кузнецова`);
 * - in a script without case, a known given name is followed by another word of the script
 *   that is not a function word (`أحمد الخليفي`);
 * - an honorific is followed by a capitalised word (`Dr. Okafor`): the word is the name.
 * The name then takes in further capitalised or known words (`Maria Elena Garcia Lopez`).
 *
 * Scripts written without spaces (Han, kana, Hangul): a known surname directly (or after one
 * space) followed by a known given name (`王秀英`, `김민준`, `佐藤 翔太`).
 *
 * A given name alone (`ask Maria`) is not a finding: too many are words or places. The subject's
 * own name is matched separately, in full and by its parts (subject-detector.ts).
 */
import type { Detector, Span } from '../detectors/detector.ts';
import { isDigitAt } from '../detectors/text.ts';
import { foldKey } from './fold.ts';
import { COMMON_WORDS, HONORIFICS, MIN_NAME_WORD, type NameLists } from './name-lists.ts';
import { isCasedWord, isTitleCase, isUnspaced } from './scripts.ts';

// Zero-width (non-)joiners sit inside Persian and Indic words.
const WORD = /[\p{L}\p{M}\u200c\u200d]+(?:['’][\p{L}\p{M}\u200c\u200d]+)*/gu;
/** What may stand between two words of one name. */
const NAME_SEP = /^(?: {1,2}|[-_.]|\. ?)$/;
/** Function words of Arabic-script and Hebrew text that follow a name without being one. */
const UNCASED_STOP = new Set([
  'في', 'من', 'إلى', 'الى', 'على', 'عن', 'مع', 'هذا', 'هذه', 'التي', 'الذي', 'و', 'أو', 'ثم', 'قد', 'كان', 'كانت', 'هو', 'هي',
  'شارك', 'ساعد', 'تطوع', 'قام', 'و', 'از', 'به', 'با', 'در', 'که', 'را', 'این', 'آن', 'و', 'את', 'של', 'עם', 'על', 'הוא', 'היא',
]);
const MAX_EXTRA_WORDS = 2;

/** A word of the text; its case style is worked out only for the few words a rule looks at. */
class Word {
  readonly start: number;
  readonly end: number;
  readonly raw: string;
  readonly key: string;
  #cased: boolean | undefined;

  constructor(start: number, raw: string, ascii: boolean) {
    this.start = start;
    this.end = start + raw.length;
    this.raw = raw;
    this.key = ascii ? raw.toLowerCase() : foldKey(raw);
  }

  get cased(): boolean {
    return (this.#cased ??= isCasedWord(this.raw));
  }

  get title(): boolean {
    return this.cased && isTitleCase(this.raw);
  }

  get lower(): boolean {
    return this.cased && this.raw === this.raw.toLowerCase();
  }

  get upper(): boolean {
    return this.cased && this.raw.length > 1 && this.raw === this.raw.toUpperCase();
  }
}

/** Every word of the text (for scripts without spaces, where digits do not end a word). */
function wordsOf(text: string): Word[] {
  const words: Word[] = [];
  WORD.lastIndex = 0;
  for (let m = WORD.exec(text); m !== null; m = WORD.exec(text)) {
    words.push(new Word(m.index, m[0], false));
  }
  return words;
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 127) return false;
  return true;
}

function isAsciiLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** `nextWord` for ASCII text by hand: no match objects for the many words that are no name. */
function nextAsciiWord(text: string, from: number): Word | undefined {
  let i = from;
  while (i < text.length) {
    while (i < text.length && !isAsciiLetter(text.charCodeAt(i))) i++;
    if (i >= text.length) return undefined;
    const start = i;
    for (;;) {
      while (i < text.length && isAsciiLetter(text.charCodeAt(i))) i++;
      // `O'Neil`: an apostrophe between letters stays inside the word.
      if (text.charCodeAt(i) === 39 && isAsciiLetter(text.charCodeAt(i + 1))) i++;
      else break;
    }
    if (!isDigitAt(text, start - 1) && !isDigitAt(text, i)) return new Word(start, text.slice(start, i), true);
  }
  return undefined;
}

/** The first word at or after `from` that is not glued to digits, or undefined. */
function nextWord(text: string, from: number, ascii: boolean): Word | undefined {
  if (ascii) return nextAsciiWord(text, from);
  const pattern = WORD;
  pattern.lastIndex = from;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    const raw = m[0];
    // Letters glued to digits are a code (`47ea`, `b2c`), not a word.
    if (isDigitAt(text, m.index - 1) || isDigitAt(text, m.index + raw.length)) continue;
    return new Word(m.index, raw, false);
  }
  return undefined;
}

function sameCaseStyle(a: Word, b: Word): boolean {
  return (a.title && b.title) || (a.lower && b.lower) || (a.upper && b.upper);
}

export function createNameDetector(loadLists: () => NameLists): Detector {
  let lists: NameLists | undefined;
  const load = () => (lists ??= loadLists());

  const isCommon = (w: Word) => COMMON_WORDS.has(w.key) || w.key.length < MIN_NAME_WORD;
  const joined = (text: string, a: Word, b: Word) => NAME_SEP.test(text.slice(a.end, b.start));

  /** Does `b` continue a name after `a`? */
  function pair(l: NameLists, a: Word, b: Word): boolean {
    if (isUnspaced(a.raw) || isUnspaced(b.raw)) return false;
    const givenA = l.given.has(a.key);
    if (!givenA) return false;
    if (l.surnames.has(b.key) && sameCaseStyle(a, b) && !(isCommon(a) && isCommon(b))) {
      // Lower-case words (ids, addresses) carry no capital as a hint: neither may be a common word.
      return !a.lower || (!isCommon(a) && !isCommon(b));
    }
    if (a.cased) return a.title && b.title && !isCommon(a) && !isCommon(b) && !HONORIFICS.has(b.key);
    return !b.cased && b.key.length >= 2 && !UNCASED_STOP.has(b.raw);
  }

  /** Does `w` carry on a name already found? */
  function more(l: NameLists, w: Word): boolean {
    if (isUnspaced(w.raw) || HONORIFICS.has(w.key) || UNCASED_STOP.has(w.raw)) return false;
    if (l.surnames.has(w.key) || l.given.has(w.key)) return !isCommon(w) || w.title;
    return w.title && !isCommon(w);
  }

  /** Words are read one at a time: most are looked up once and dropped. */
  function spaced(text: string, l: NameLists, out: Span[]): void {
    const ascii = isAscii(text);
    let a = nextWord(text, 0, ascii);
    while (a) {
      const b = nextWord(text, a.end, ascii);
      if (!b) return;
      // Every rule starts from a known given name or an honorific: one set look-up per word.
      if ((!l.given.has(a.key) && !HONORIFICS.has(a.key)) || UNCASED_STOP.has(a.raw) || !joined(text, a, b)) {
        a = b;
        continue;
      }
      let first: Word;
      if (HONORIFICS.has(a.key) && (b.title || (!b.cased && !isUnspaced(b.raw))) && !isCommon(b)) first = b;
      else if (pair(l, a, b)) first = a;
      else {
        a = b;
        continue;
      }
      let last = b;
      let next = nextWord(text, last.end, ascii);
      for (let extra = 0; next && extra < MAX_EXTRA_WORDS && joined(text, last, next) && more(l, next); extra++) {
        last = next;
        next = nextWord(text, last.end, ascii);
      }
      out.push({ start: first.start, end: last.end });
      a = next;
    }
  }

  /** Surname then given name inside (or across one space after) a run of Han, kana or Hangul. */
  function unspaced(text: string, l: NameLists, out: Span[]): void {
    const words = wordsOf(text);
    for (let w = 0; w < words.length; w++) {
      const word = words[w]!;
      if (!isUnspaced(word.raw)) continue;
      const s = word.raw;
      for (let p = 0; p < s.length; p++) {
        let found: Span | undefined;
        for (const sl of [2, 1]) {
          const surname = s.slice(p, p + sl);
          if (surname.length !== sl || !l.unspacedSurnames.has(surname)) continue;
          const rest = p + sl;
          if (rest === s.length) {
            // `佐藤 翔太`: the given name is the next word, after one space.
            const next = words[w + 1];
            if (next && text.slice(word.end, next.start) === ' ') {
              for (const gl of [3, 2, 1]) {
                if (next.raw.length >= gl && l.unspacedGiven.has(next.raw.slice(0, gl))) {
                  found = { start: word.start + p, end: next.start + gl };
                  break;
                }
              }
            }
          } else {
            for (const gl of [3, 2, 1]) {
              const given = s.slice(rest, rest + gl);
              if (given.length === gl && l.unspacedGiven.has(given)) {
                found = { start: word.start + p, end: word.start + rest + gl };
                break;
              }
            }
          }
          if (found) break;
        }
        if (found) {
          out.push(found);
          p = found.end - word.start - 1;
          if (found.end > word.end) break;
        }
      }
    }
  }

  return {
    name: 'person_name',
    placeholder: '[NAME]',
    find(text) {
      const spans: Span[] = [];
      if (text.length < 2) return spans;
      const l = load();
      spaced(text, l, spans);
      if (/[\u2e80-\ud7ff]/.test(text)) unspaced(text, l, spans);
      if (spans.length > 1) spans.sort((a, b) => a.start - b.start);
      return spans;
    },
  };
}
