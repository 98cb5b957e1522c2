/**
 * Is a run of digit groups a phone number? The rules behind the phone detector, kept apart from
 * the scanning so they read as a list:
 *
 * - International (`+CC …` or `00CC …`): 8–15 digits (E.164), any mix of spaces, dashes, dots and
 *   parentheses, an optional `(0)` trunk digit. The leading `+` is signal enough.
 * - National with a trunk `0` (UK 07700 900123, 020 7946 0018; FR 06 12 34 56 78; DE 030 1234567,
 *   030/1234567; IN 098765 43210; IT, NL …): 9–12 digits, spaces, dashes or dots (mixed too:
 *   `020 7946-0018`), an optional `(0xx)` area code; written bare only as 10–11 digits.
 * - Known shapes without a trunk: NANP 555-123-4567 / (555) 123-4567 / 1-800-555-0199 (also with
 *   mixed separators, 555.123-4567), US local
 *   555-0123, IN mobile 98765 43210, ES mobile 612 34 56 78 / 612 345 678.
 * - Anything else with 7–12 digits only right after a phone keyword ("tel", "call me on", …).
 *
 * Never: dates (2026-11-28, 28.11.2026, 28 11 2026 with anything after), amounts (1,234.56 —
 * the comma ends a run), versions and dotted numbers, UUID or code segments (the caller rejects
 * runs glued to neighbouring tokens), or plain years and short counts (too few digits).
 */

export interface PhoneRun {
  /** Digit groups in order. */
  readonly groups: readonly string[];
  /** `seps[k]` sits between `groups[k]` and `groups[k + 1]`, spaces normalised to ' '. */
  readonly seps: readonly string[];
  /** A `+` precedes the first group. */
  readonly plus: boolean;
  /** A `(` precedes the first group. */
  readonly openParen: boolean;
  /** A phone keyword precedes the run (evaluated lazily: it costs a regex). */
  readonly keyword: () => boolean;
}

const PLAIN_SEPS = new Set([' ', '-', '.']);
/** The separator kind of a national number written with more than one of space, dash and dot. */
const MIXED = 'mixed';

function stripParens(sep: string): string {
  return sep.replace(/[()]/g, '');
}

function count(haystack: string, ch: string): number {
  let n = 0;
  for (const c of haystack) if (c === ch) n++;
  return n;
}

/** A separator is at most one of space / dash / dot, with optional parentheses around it. */
function validSep(sep: string): boolean {
  const bare = stripParens(sep);
  if (bare === '') return sep !== '';
  return bare.length === 1 && PLAIN_SEPS.has(bare) && sep.length <= 3;
}

function isYear(group: string): boolean {
  if (group.length !== 4) return false;
  const year = Number(group);
  return year >= 1900 && year <= 2099;
}

function isDayOrMonth(group: string, max: number): boolean {
  if (group.length < 1 || group.length > 2) return false;
  const n = Number(group);
  return n >= 1 && n <= max;
}

/** Three consecutive groups that read as a date with a four-digit year, in either order. */
function containsDate(groups: readonly string[]): boolean {
  for (let k = 0; k + 2 < groups.length; k++) {
    const [a, b, c] = [groups[k]!, groups[k + 1]!, groups[k + 2]!];
    if (isYear(c) && isDayOrMonth(a, 31) && isDayOrMonth(b, 31) && (Number(a) <= 12 || Number(b) <= 12)) return true;
    if (isYear(a) && isDayOrMonth(b, 12) && isDayOrMonth(c, 31)) return true;
  }
  return false;
}

function international(run: PhoneRun): boolean {
  if (!run.seps.every(validSep)) return false;
  let opens = run.openParen ? 1 : 0;
  let closes = 0;
  for (const sep of run.seps) {
    opens += count(sep, '(');
    closes += count(sep, ')');
  }
  if (opens !== closes || opens > 2) return false;
  // A `(0)` trunk digit inside an international number is not dialled: do not count it.
  let digits = '';
  run.groups.forEach((group, k) => {
    const trunk = group === '0' && k > 0 && run.seps[k - 1]!.endsWith('(') && (run.seps[k] ?? '').startsWith(')');
    if (!trunk) digits += group;
  });
  return digits.length >= 8 && digits.length <= 15 && digits[0] !== '0';
}

/**
 * The separator kind of a national number: one of ' ', '-', '.' used throughout, or '/' once
 * after a trunk area code (DE 030/1234567). A leading `(area)` may be followed by a space or
 * nothing, then the rest must agree. Undefined when the separators are mixed or invalid.
 */
function nationalSeparator(run: PhoneRun): string | undefined {
  let seps = run.seps;
  if (run.openParen) {
    const first = seps[0];
    if (first !== ')' && first !== ') ') return undefined;
    seps = seps.slice(1);
  }
  if (seps.some((sep) => sep.includes('(') || sep.includes(')'))) return undefined;
  if (seps.length === 0) return run.openParen ? ' ' : '';
  const kind = seps[0]!;
  if (kind === '/') return seps.length === 1 && !run.openParen ? '/' : undefined;
  if (!seps.every((sep) => PLAIN_SEPS.has(sep))) return undefined;
  // `555.123-4567`, `020 7946-0018`: mixed separators, accepted only for the strongest shapes.
  return seps.every((sep) => sep === kind) ? kind : MIXED;
}

function shapeOf(groups: readonly string[]): string {
  return groups.map((g) => g.length).join('-');
}

/** Shapes of national numbers without a trunk 0 (NANP, US local, IN and ES mobiles). */
function knownNationalShape(groups: readonly string[], sep: string): boolean {
  const first = groups[0]!;
  const lead = first[0]!;
  const shape = shapeOf(groups);
  if (sep === MIXED && shape !== '3-3-4' && shape !== '1-3-3-4') return false;
  switch (shape) {
    case '3-3-4': // NANP 555-123-4567, (555) 123-4567
      return lead >= '2';
    case '1-3-3-4': // 1-800-555-0199
      return first === '1' && groups[1]![0]! >= '2';
    case '3-4': // US local 555-0123
      return sep === '-' && lead >= '2';
    case '5-5': // IN mobile 98765 43210
      return lead >= '6';
    case '3-2-2-2': // ES mobile 612 34 56 78
      return lead >= '6';
    case '3-3-3': // ES mobile 612 345 678 — not with dots, which is how 612.345.678 € is written
      return (lead === '6' || lead === '7') && sep !== '.';
    default:
      return false;
  }
}

export function isPhoneRun(run: PhoneRun): boolean {
  const { groups } = run;
  const digits = groups.join('');
  const n = digits.length;
  if (n < 7) return false;
  if (run.plus) return international(run);
  const first = groups[0]!;
  // 00 + country code is the international prefix written without `+`; it needs separators,
  // or it is indistinguishable from a zero-padded id.
  if (first.startsWith('00') && groups.length >= 2 && digits[2] !== '0' && !run.openParen) {
    return run.seps.every(validSep) && n - 2 >= 8 && n - 2 <= 15;
  }
  // National numbers, trunk digit included, have at most 12 digits; more is two numbers side by side.
  if (n > 12) return false;
  const sep = nationalSeparator(run);
  if (sep === undefined) return false;
  if (groups.length >= 3 && containsDate(groups)) return false;

  if (groups.length === 1) {
    if (digits[0] === '0' && digits[1] !== '0' && (n === 10 || n === 11)) return true;
    return run.keyword();
  }
  if (sep === '/' && !(first[0] === '0' && first.length >= 3 && first.length <= 5)) return false;

  if (digits[0] === '0' && digits[1] !== '0' && n >= 9 && n <= 12) {
    // `(0)20 7946 0018`: the trunk alone in parentheses, as copied from an international number.
    const areaOk = (first.length >= 2 && first.length <= 6) || (run.openParen && first === '0');
    const restOk = groups.slice(1).every((g) => g.length >= 2 && g.length <= 8);
    if (areaOk && restOk) return true;
  }
  if (knownNationalShape(groups, sep)) return true;
  return run.keyword();
}
