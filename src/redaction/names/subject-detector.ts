/**
 * The event's own subject is known at redaction time: its name, email and phone are found
 * wherever they appear in the event's strings, whole and by their parts — every word of the
 * name (`José`, `García`, also as `jose.garcia`), the email and its local part and the words of
 * that, and the phone number however it is written (`+44 7700 900123`, `07700900123`,
 * `7700-900-123`): its last nine digits, with whatever prefix stands before them.
 */
import type { Subject } from '../../domain/event.ts';
import type { Detector, Span } from '../detectors/detector.ts';
import { isDigitCode } from '../detectors/text.ts';
import { foldKey } from './fold.ts';
import { PARTICLES } from './name-lists.ts';
import { isUnspaced } from './scripts.ts';
import { createTermDetector } from './term-detector.ts';

const WORDS = /[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}]+)*/gu;
/** Name parts shorter than this are initials: they would match every `J` and `A` in the event. */
const MIN_PART = 2;
const MIN_EMAIL_PART = 3;
/** A phone is matched on its last digits: what stays the same in every national and international writing. */
const PHONE_TAIL = 9;
const PHONE_SEPARATORS = new Set([' ', '-', '.', '(', ')', '/', '\u00a0']);

function nameTerms(name: string): string[] {
  const terms = [name];
  for (const [word] of name.matchAll(WORDS)) {
    const key = foldKey(word);
    if ((key.length >= MIN_PART || isUnspaced(key)) && !PARTICLES.has(key)) terms.push(word);
  }
  return terms;
}

/** Where the local part of an address ends: `@`, or a spelled-out `at` (`alan dot turing at hooli dot org`). */
const AT = /@|\s*[[({<]\s*at\s*[\])}>]\s*|\s+at\s+/i;

function emailTerms(email: string): string[] {
  const terms = [email];
  const local = email.split(AT)[0] ?? '';
  // The local part and its words; never the domain's (`org`, `example` are no one's name).
  if (local.length >= MIN_EMAIL_PART && local !== email) terms.push(local);
  for (const [word] of local.matchAll(WORDS)) {
    if (word.length >= MIN_EMAIL_PART && !/^\d+$/.test(word) && word.toLowerCase() !== 'dot') terms.push(word);
  }
  return terms;
}

/** The subject's phone written any way: its last nine digits, digits and separators between them free. */
function phoneDetector(phone: string): Detector | undefined {
  let digits = '';
  for (const ch of phone) if (isDigitCode(ch.charCodeAt(0))) digits += ch;
  if (digits.length < 7) return undefined;
  const tail = digits.slice(-PHONE_TAIL);
  // Numbers are written with groups of two digits or more at the end: a cheap first look.
  const last2 = tail.slice(-2);
  return {
    name: 'phone',
    placeholder: '[PHONE]',
    find(text) {
      const spans: Span[] = [];
      if (!text.includes(last2)) return spans;
      // The text's digits with their offsets, runs broken by anything but a phone separator.
      let run = '';
      let offsets: number[] = [];
      const flush = () => {
        for (let at = run.indexOf(tail); at !== -1; at = run.indexOf(tail, at + 1)) {
          const endDigit = at + tail.length;
          // A digit right after the tail, in the same group, makes it part of a longer number.
          if (endDigit < run.length && offsets[endDigit] === offsets[endDigit - 1]! + 1) continue;
          // Take in the prefix before the tail (country code, trunk 0), to the start of its group.
          const groupStart = (k: number) => {
            while (k > 0 && offsets[k - 1] === offsets[k]! - 1) k--;
            return k;
          };
          let startDigit = groupStart(at);
          // Whole groups before it, while they fit the prefix the subject's number has (+ a trunk 0).
          const prefix = digits.length - tail.length + 1;
          while (startDigit > 0 && at - groupStart(startDigit - 1) <= prefix) startDigit = groupStart(startDigit - 1);
          spans.push({ start: offsets[startDigit]!, end: offsets[endDigit - 1]! + 1 });
        }
        run = '';
        offsets = [];
      };
      for (let i = 0; i < text.length; i++) {
        const code = text.charCodeAt(i);
        if (isDigitCode(code)) {
          run += text[i];
          offsets.push(i);
        } else if (!(PHONE_SEPARATORS.has(text[i]!) || (text[i] === '+' && run.length === 0))) {
          if (run.length > 0) flush();
        }
      }
      if (run.length > 0) flush();
      // A leading `+` belongs to the number.
      return spans.map((s) => (text[s.start - 1] === '+' ? { start: s.start - 1, end: s.end } : s));
    },
  };
}

// Events of one subject come in runs: build its detectors once (a bounded cache, oldest out).
const recent = new Map<string, readonly Detector[]>();
const RECENT = 1_024;

/** Detectors for what the event says about its own subject; none when it says nothing. */
export function subjectDetectors(subject: Pick<Subject, 'name' | 'email' | 'phone'>): readonly Detector[] {
  if (subject.name === undefined && subject.email === undefined && subject.phone === undefined) return [];
  const key = `${subject.name ?? ''}\u0000${subject.email ?? ''}\u0000${subject.phone ?? ''}`;
  let detectors = recent.get(key);
  if (!detectors) {
    detectors = build(subject);
    if (recent.size >= RECENT) recent.delete(recent.keys().next().value!);
    recent.set(key, detectors);
  }
  return detectors;
}

function build(subject: Pick<Subject, 'name' | 'email' | 'phone'>): Detector[] {
  const detectors: Detector[] = [];
  if (subject.name !== undefined && subject.name.trim() !== '') {
    detectors.push(createTermDetector('person_name', '[NAME]', nameTerms(subject.name)));
  }
  if (subject.email !== undefined && subject.email.trim() !== '') {
    detectors.push(createTermDetector('email', '[EMAIL]', emailTerms(subject.email)));
  }
  if (subject.phone !== undefined) {
    const phone = phoneDetector(subject.phone);
    if (phone) detectors.push(phone);
  }
  return detectors;
}
