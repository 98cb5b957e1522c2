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

const WORD = /[\p{L}\p{M}]+(?:['’][\p{L}\p{M}]+)*/gu;
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

  constructor(start: number, raw: string) {
    this.start = start;
    this.end = start + raw.length;
    this.raw = raw;
    this.key = foldKey(raw);
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

function wordsOf(text: string): Word[] {
  const words: Word[] = [];
  WORD.lastIndex = 0;
  for (let m = WORD.exec(text); m !== null; m = WORD.exec(text)) {
    const raw = m[0];
    // Letters glued to digits are a code (`47ea`, `b2c`), not a word.
    if (isDigitAt(text, m.index - 1) || isDigitAt(text, m.index + raw.length)) continue;
    words.push(new Word(m.index, raw));
  }
  return words;
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

  function spaced(text: string, l: NameLists, out: Span[]): void {
    const words = wordsOf(text);
    for (let i = 0; i + 1 < words.length; i++) {
      const a = words[i]!;
      // Every rule starts from a known given name or an honorific: one set look-up per word.
      if ((!l.given.has(a.key) && !HONORIFICS.has(a.key)) || UNCASED_STOP.has(a.raw)) continue;
      const b = words[i + 1]!;
      if (!joined(text, a, b)) continue;
      let first: number;
      if (HONORIFICS.has(a.key) && (b.title || (!b.cased && !isUnspaced(b.raw))) && !isCommon(b)) first = i + 1;
      else if (pair(l, a, b)) first = i;
      else continue;
      let last = i + 1;
      while (last + 1 < words.length && last - (first + 1) < MAX_EXTRA_WORDS && joined(text, words[last]!, words[last + 1]!) && more(l, words[last + 1]!)) last++;
      out.push({ start: words[first]!.start, end: words[last]!.end });
      i = last;
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
            if (next && text.slice(word.end, next.start) === ' ' && l.unspacedGiven.has(next.raw)) {
              found = { start: word.start + p, end: next.end };
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
