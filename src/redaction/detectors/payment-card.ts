/**
 * Payment card numbers (PANs): 13–19 digits, bare or grouped with spaces, dashes or dots (mixed
 * too) in the groupings cards are printed with, after anything but a letter, a digit or a code
 * that holds digits (`ref/4111…`, `card_4111…`, `4111…-x` are found), Luhn-valid, and inside a known issuer (IIN)
 * range. The IIN check is what keeps a Luhn-valid order number (one in ten of any digits) from
 * matching.
 */
import { luhnValid } from './checksums.ts';
import type { Detector, Span } from './detector.ts';
import { countDigits, joinedAfter, joinedBefore } from './text.ts';

/** Maximal runs of digit groups joined by one space, dash or dot: `\d+` then the separator, no overlap. */
const RUN = /\d+(?:[ .-]\d+)*/g;

interface IinRange {
  readonly from: number;
  readonly to: number;
  readonly lengths: readonly number[];
}

const range = (from: number, to: number, lengths: readonly number[]): IinRange => ({ from, to, lengths });
const span = (min: number, max: number) => Array.from({ length: max - min + 1 }, (_, k) => min + k);

// Prefixes of 6 digits (the widest range needed), each range inclusive.
const IIN: readonly IinRange[] = [
  range(400000, 499999, [13, 16, 19]), // Visa
  range(510000, 559999, [16]), // Mastercard
  range(222100, 272099, [16]), // Mastercard 2-series
  range(340000, 349999, [15]), // American Express
  range(370000, 379999, [15]),
  range(601100, 601199, span(16, 19)), // Discover
  range(644000, 659999, span(16, 19)), // Discover 644–649, 65
  range(622126, 622925, span(16, 19)), // Discover / UnionPay co-brand
  range(620000, 629999, span(16, 19)), // UnionPay
  range(300000, 305999, span(14, 19)), // Diners Club International
  range(360000, 369999, span(14, 19)),
  range(380000, 399999, span(16, 19)), // Diners (38, 39)
  range(352800, 358999, span(16, 19)), // JCB
  range(220000, 220499, span(16, 19)), // Mir
  range(500000, 509999, span(13, 19)), // Maestro 50
  range(560000, 589999, span(13, 19)), // Maestro 56–58
  range(630400, 630499, span(13, 19)), // Maestro 6304
  range(675900, 676399, span(13, 19)), // Maestro 6759–6763
  range(608000, 608999, [16]), // RuPay (part of its ranges)
];

function knownIssuer(digits: string): boolean {
  const prefix = Number(digits.slice(0, 6));
  return IIN.some((r) => prefix >= r.from && prefix <= r.to && r.lengths.includes(digits.length));
}

/** Printed groupings: 4-4-4-4(-3), 4-4-4-1, Amex 4-6-5, Diners 4-6-4, or no separators. */
function validGrouping(lengths: readonly number[]): boolean {
  if (lengths.length === 1) return true;
  if (lengths.length === 3 && lengths[0] === 4 && lengths[1] === 6 && (lengths[2] === 5 || lengths[2] === 4)) {
    return true;
  }
  const last = lengths[lengths.length - 1]!;
  return lengths.slice(0, -1).every((n) => n === 4) && last >= 1 && last <= 4;
}

export function isCardNumber(digits: string): boolean {
  return digits.length >= 13 && digits.length <= 19 && knownIssuer(digits) && luhnValid(digits);
}

function scanRun(text: string, start: number, value: string, out: Span[]): void {
  // Groups with their offsets inside the run; separators are one character each.
  const groups: { start: number; digits: string }[] = [];
  const seps: string[] = [];
  let offset = 0;
  for (const part of value.split(/([ .-])/)) {
    if (part === ' ' || part === '-' || part === '.') seps.push(part);
    else groups.push({ start: start + offset, digits: part });
    offset += part.length;
  }
  // Longest card first, earliest first; a run may hold a card plus a neighbouring number.
  for (let i = 0; i < groups.length; ) {
    let next = i + 1;
    for (let j = Math.min(groups.length, i + 5); j > i; j--) {
      let length = 0;
      for (let k = i; k < j; k++) length += groups[k]!.digits.length;
      if (length < 13) break;
      if (length > 19) continue;
      const slice = groups.slice(i, j);
      const digits = slice.map((g) => g.digits).join('');
      // Separators may be mixed (`4111 1111-1111.1111`): Luhn and the issuer ranges decide.
      // A dash or dot glues a part to its neighbour (an id like 1234-5678-…, an amount): only a
      // space may split a run.
      if ((i > 0 && seps[i - 1] !== ' ') || (j < groups.length && seps[j - 1] !== ' ')) continue;
      if (!validGrouping(slice.map((g) => g.digits.length)) || !isCardNumber(digits)) continue;
      const last = slice[slice.length - 1]!;
      out.push({ start: slice[0]!.start, end: last.start + last.digits.length });
      next = j;
      break;
    }
    i = next;
  }
}

export const paymentCardDetector: Detector = {
  name: 'payment_card',
  placeholder: '[CARD]',
  find(text) {
    const spans: Span[] = [];
    if (countDigits(text) < 13) return spans;
    RUN.lastIndex = 0;
    for (let m = RUN.exec(text); m !== null; m = RUN.exec(text)) {
      if (m[0].length < 13) continue;
      const start = m.index;
      const end = start + m[0].length;
      // Digits glued to letters or dotted numbers are part of something else (a hex id, an amount).
      if (joinedBefore(text, start) || joinedAfter(text, end)) continue;
      scanRun(text, start, m[0], spans);
    }
    return spans;
  },
};
