/**
 * Spelled-out email addresses: `john [at] example [dot] com`, `john(at)example.co.uk`,
 * `john dot smith at example dot com`. A person who writes their address this way still gives
 * it away. A bracketed `at` is signal enough; a plain word `at` counts only when the word `dot`
 * leads on to a known top-level domain, so "meet at the town hall" can never match.
 *
 * Anchored on the `at` token: the domain is matched forwards with a sticky regex and the local
 * part walked backwards by hand, so the cost grows with the number of `at`s, not of words.
 */
import type { Span } from './detector.ts';

const LABEL = String.raw`[\p{L}\p{N}][\p{L}\p{N}-]{0,62}`;
const BRACKETED_DOT = String.raw`\s*[[({<]\s*dot\s*[\])}>]\s*`;
const WORD_DOT = String.raw`\s+dot\s+`;
const TLDS = 'com|org|net|edu|gov|int|info|biz|io|co|me|uk|ie|de|fr|nl|be|es|it|pt|ch|at|eu|se|no|dk|fi|pl|in|us|ca|au|nz|jp';

const AT_TOKEN = /\s*[[({<]\s*at\s*[\])}>]\s*|\s+at\s+/giu;
/** After a bracketed `at`: labels joined by `.`, `[dot]` or ` dot `, ending in letters. */
const DOMAIN_AFTER_BRACKETED = new RegExp(
  `${LABEL}(?:(?:${BRACKETED_DOT}|${WORD_DOT}|\\.)${LABEL}){0,4}(?:${BRACKETED_DOT}|${WORD_DOT}|\\.)\\p{L}{2,24}(?![\\p{L}\\p{N}])`,
  'iuy',
);
/** After a plain `at`: labels joined by the word `dot`, ending in a known top-level domain. */
const DOMAIN_AFTER_WORD = new RegExp(`${LABEL}(?:${WORD_DOT}${LABEL}){0,4}${WORD_DOT}(?:${TLDS})(?![\\p{L}\\p{N}])`, 'iuy');

const MAX_LOCAL = 64;
const MAX_DOTTED_WORDS = 3;
const LOCAL_ASCII = new Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+'-");
const NON_ASCII_ALNUM = /^[\p{L}\p{N}\p{M}]$/u;
const ALNUM_START = /^[\p{L}\p{N}]$/u;
const SPACE = /^\s$/u;

function isLocalChar(ch: string | undefined): boolean {
  if (ch === undefined) return false;
  return ch.charCodeAt(0) < 128 ? LOCAL_ASCII.has(ch) : NON_ASCII_ALNUM.test(ch);
}

function isSpace(ch: string | undefined): boolean {
  return ch !== undefined && SPACE.test(ch);
}

/** Start of the word of local-part characters that ends at `end` (=== end when there is none). */
function wordStart(text: string, end: number): number {
  let start = end;
  while (start > 0 && end - start < MAX_LOCAL && isLocalChar(text[start - 1])) start--;
  return start;
}

/** Where the local part ending at `end` starts (`john`, `john dot smith`), or undefined. */
function localStart(text: string, end: number): number | undefined {
  let start = wordStart(text, end);
  if (start === end) return undefined;
  for (let k = 0; k < MAX_DOTTED_WORDS; k++) {
    // Is there `<word> dot ` right before?
    let p = start;
    while (p > 0 && isSpace(text[p - 1])) p--;
    if (p === start || p < 4 || text.slice(p - 3, p).toLowerCase() !== 'dot') break;
    let q = p - 3;
    while (q > 0 && isSpace(text[q - 1])) q--;
    if (q === p - 3) break;
    const before = wordStart(text, q);
    if (before === q) break;
    start = before;
  }
  while (start < end && !ALNUM_START.test(text[start]!)) start++;
  return start < end ? start : undefined;
}

export function findObfuscatedEmails(text: string, out: Span[]): void {
  AT_TOKEN.lastIndex = 0;
  for (let at = AT_TOKEN.exec(text); at !== null; at = AT_TOKEN.exec(text)) {
    const bracketed = /[[({<]/.test(at[0]);
    const domain = bracketed ? DOMAIN_AFTER_BRACKETED : DOMAIN_AFTER_WORD;
    domain.lastIndex = at.index + at[0].length;
    const match = domain.exec(text);
    if (!match) {
      // `\s+at\s+` consumed the space a following token may need: resume inside it.
      AT_TOKEN.lastIndex = at.index + Math.max(1, at[0].trimEnd().length);
      continue;
    }
    const start = localStart(text, at.index);
    if (start === undefined) continue;
    const end = domain.lastIndex;
    out.push({ start, end });
    AT_TOKEN.lastIndex = end;
  }
}
