/**
 * Email addresses: `local@domain.tld` with the usual local-part characters (plus tags, dots,
 * underscores, apostrophes), sub-domains, and internationalised labels. Quoted local parts
 * (`"john doe"@x.com`) are not recognised: nobody writes them in free text.
 *
 * Also the common obfuscations (`john [at] example [dot] com`, `john dot smith at example dot
 * com`): see email-obfuscated.ts.
 *
 * Linear time: rather than let a regex try every start position of a long run of word
 * characters, each `@` is found with indexOf, the local part is walked leftwards by hand and
 * only the domain is matched, anchored (sticky) right after the `@`.
 */
import type { Detector, Span } from './detector.ts';
import { findObfuscatedEmails } from './email-obfuscated.ts';
import { nonOverlapping } from './text.ts';

const MAX_LOCAL = 64;

// Atext of RFC 5322 plus dot; non-ASCII letters and digits for internationalised addresses (RFC 6531).
const LOCAL_ASCII = new Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{|}~.-");
const LOCAL_NON_ASCII = /^[\p{L}\p{N}\p{M}]$/u;
const ALNUM_START = /^[\p{L}\p{N}_]$/u;

// Labels are delimited by dots and cannot contain one, so the repetition cannot backtrack badly.
const DOMAIN =
  /(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+(?:\p{L}{2,63}|xn--[a-z0-9-]{1,59})(?![\p{L}\p{N}_])/uy;

// `icon@2x.png` is a file name, not an address.
const RETINA_FILE = /^\d+(?:\.\d+)?x\.(?:png|jpe?g|gif|svg|webp|avif)$/i;

const HAS_BRACKETED_AT = /[[({<]\s*at\s*[\])}>]/i;
const HAS_WORD_DOT = /\sdot\s/i;

function isLocalChar(text: string, i: number): boolean {
  const ch = text[i];
  if (ch === undefined) return false;
  if (ch.charCodeAt(0) < 128) return LOCAL_ASCII.has(ch);
  return LOCAL_NON_ASCII.test(ch);
}

function findPlain(text: string, out: Span[]): void {
  let at = text.indexOf('@');
  while (at !== -1) {
    let start = at;
    while (start > 0 && at - start < MAX_LOCAL && isLocalChar(text, start - 1)) start--;
    // A local part starts with a letter, digit or underscore: trim quotes and punctuation before it.
    while (start < at && !ALNUM_START.test(text[start]!)) start++;
    if (start < at) {
      DOMAIN.lastIndex = at + 1;
      const domain = DOMAIN.exec(text);
      if (domain && !RETINA_FILE.test(domain[0])) {
        const end = at + 1 + domain[0].length;
        out.push({ start, end });
        at = text.indexOf('@', end);
        continue;
      }
    }
    at = text.indexOf('@', at + 1);
  }
}

export const emailDetector: Detector = {
  name: 'email',
  placeholder: '[EMAIL]',
  find(text) {
    const spans: Span[] = [];
    if (text.includes('@')) findPlain(text, spans);
    if (HAS_BRACKETED_AT.test(text) || HAS_WORD_DOT.test(text)) findObfuscatedEmails(text, spans);
    if (spans.length < 2) return spans;
    spans.sort((a, b) => a.start - b.start || b.end - a.end);
    return nonOverlapping(spans);
  },
};
