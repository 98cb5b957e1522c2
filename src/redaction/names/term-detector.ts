/**
 * Known terms found anywhere in a string, case- and diacritic-insensitively (`Jose` finds
 * `José`, `GARCÍA` finds `garcia`), as whole words: a letter or digit right outside a term
 * means it is part of another word (`Ana` is not found in `Banana`). Terms of scripts written
 * without spaces (Han, kana, Hangul) are found anywhere. Used for the event subject's own name
 * and email and for a tenant's deny-list.
 */
import type { Detector, DetectorName, Span } from '../detectors/detector.ts';
import { nonOverlapping } from '../detectors/text.ts';
import { fold, foldKey, unfold } from './fold.ts';
import { isUnspaced } from './scripts.ts';

const ALNUM = /[\p{L}\p{N}\p{M}]/u;

function isAlnumAt(text: string, i: number): boolean {
  if (i < 0 || i >= text.length) return false;
  const code = text.charCodeAt(i);
  if (code < 128) return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
  return ALNUM.test(text[i]!);
}

interface Term {
  readonly key: string;
  readonly bounded: boolean;
}

/** A detector for `terms` (empty and blank terms are ignored; longest first, so `Ana Lucia` beats `Ana`). */
export function createTermDetector(name: DetectorName, placeholder: string, terms: readonly string[]): Detector {
  const keys = new Map<string, Term>();
  for (const term of terms) {
    const key = foldKey(term.trim());
    if (key.length > 0) keys.set(key, { key, bounded: !isUnspaced(key) });
  }
  const list = [...keys.values()].sort((a, b) => b.key.length - a.key.length);
  return {
    name,
    placeholder,
    find(text) {
      if (list.length === 0 || text.length === 0) return [];
      const folded = fold(text);
      const haystack = folded.text;
      const spans: Span[] = [];
      for (const { key, bounded } of list) {
        for (let at = haystack.indexOf(key); at !== -1; at = haystack.indexOf(key, at + 1)) {
          const end = at + key.length;
          if (bounded && (isAlnumAt(haystack, at - 1) || isAlnumAt(haystack, end))) continue;
          spans.push(unfold(folded, text, at, end));
        }
      }
      if (spans.length < 2) return spans;
      spans.sort((a, b) => a.start - b.start || b.end - a.end);
      return nonOverlapping(spans);
    },
  };
}
