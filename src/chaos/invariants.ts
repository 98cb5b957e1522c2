/**
 * The invariants a chaos run is judged by, checked over what it observed once the pipeline went
 * quiet. Pure: the runner gathers the observations, this says what is wrong with them.
 */

export interface ChaosObservations {
  /** `eventId:platform` for each accepted event and each platform that takes its kind. */
  readonly expected: ReadonlySet<string>;
  /** Every final result message seen on the results topic (the relay may publish one twice). */
  readonly results: readonly { readonly eventId: string; readonly platform: string; readonly status: string }[];
  /**
   * What each simulator applied: by business key, how many keys it applied more than once, and
   * which (named in the report, so each can be traced through the services' logs).
   */
  readonly simulators: Readonly<Record<string, { readonly accepted: number; readonly duplicates: number; readonly duplicateKeys?: readonly string[] }>>;
  /** Bad input the run published (malformed bytes, contract violations). */
  readonly injectedBad: number;
  /** Messages on the events dead-letter topic. */
  readonly deadLetters: number;
  /** Messages on every other dead-letter topic (good events must never land there). */
  readonly otherDeadLetters: number;
  /** Personal-data values the run published. */
  readonly piiValues: readonly string[];
  /** Texts that must hold none of them: simulator records, dead letters, results, logs. */
  readonly haystacks: readonly { readonly where: string; readonly text: string }[];
  /** Consumer-group lag summed over the pipeline's groups and topics. */
  readonly lag: number;
}

export type ViolationKind = 'missing_result' | 'extra_result' | 'not_delivered' | 'applied_twice' | 'applied_count' | 'dead_letters' | 'pii_leak' | 'lag';

export interface Violation {
  readonly kind: ViolationKind;
  readonly detail: string;
}

const SHOWN = 5;
const some = (items: readonly string[]) => `${items.slice(0, SHOWN).join(', ')}${items.length > SHOWN ? `, … (${items.length})` : ''}`;

export function checkInvariants(o: ChaosObservations): Violation[] {
  const violations: Violation[] = [];
  const byKey = new Map<string, string>();
  for (const result of o.results) byKey.set(`${result.eventId}:${result.platform}`, result.status);

  const missing = [...o.expected].filter((key) => !byKey.has(key));
  if (missing.length > 0) violations.push({ kind: 'missing_result', detail: `no final result for ${some(missing)}` });
  const extra = [...byKey.keys()].filter((key) => !o.expected.has(key));
  if (extra.length > 0) violations.push({ kind: 'extra_result', detail: `a result nothing asked for: ${some(extra)}` });
  const failed = [...byKey.entries()].filter(([key, status]) => o.expected.has(key) && status !== 'delivered').map(([key, status]) => `${key}=${status}`);
  if (failed.length > 0) violations.push({ kind: 'not_delivered', detail: some(failed) });

  for (const [platform, stats] of Object.entries(o.simulators)) {
    const want = [...o.expected].filter((key) => key.endsWith(`:${platform}`)).length;
    if (stats.duplicates > 0) {
      const keys = stats.duplicateKeys && stats.duplicateKeys.length > 0 ? `: ${some(stats.duplicateKeys)}` : '';
      violations.push({ kind: 'applied_twice', detail: `${platform}: ${stats.duplicates} business keys applied more than once${keys}` });
    }
    if (stats.accepted !== want) violations.push({ kind: 'applied_count', detail: `${platform}: applied ${stats.accepted}, expected ${want}` });
  }

  if (o.deadLetters !== o.injectedBad) {
    violations.push({ kind: 'dead_letters', detail: `events dead-lettered ${o.deadLetters}, bad input injected ${o.injectedBad}` });
  }
  if (o.otherDeadLetters > 0) violations.push({ kind: 'dead_letters', detail: `${o.otherDeadLetters} messages on the redacted/deliver dead-letter topics` });

  const leaks: string[] = [];
  const scanner = new ValueScanner(o.piiValues);
  for (const { where, text } of o.haystacks) {
    for (const value of scanner.occurring(text)) leaks.push(`${where}: a value of ${value.length} characters`);
  }
  if (leaks.length > 0) violations.push({ kind: 'pii_leak', detail: some(leaks) });

  if (o.lag !== 0) violations.push({ kind: 'lag', detail: `consumer lag ${o.lag} after the run went quiet` });
  return violations;
}

const WINDOW = 6;
const BASE = 31;
const MOD = 2_147_483_647;
const OUT = BASE ** (WINDOW - 1);

/**
 * Which of many values occur in a text, in one pass over the text whatever the number of values
 * (a long run publishes a million personal-data values; `includes` per value would take hours).
 * Values are indexed by a rolling hash of their first six characters; each position of the text
 * whose six-character window hashes to an indexed prefix is checked against those values.
 * Values shorter than the window are not indexed. A value counts only where it stands delimited —
 * not inside a longer run of letters and digits — as personal data written into a text does: a
 * nine-digit number is otherwise found by chance in the hex of hashes and ids and in timestamps
 * (a 30-minute run's ~800,000 values did, 34 times, in records that carry no free text at all).
 */
export class ValueScanner {
  private readonly byPrefix = new Map<number, string[]>();

  constructor(values: Iterable<string>) {
    for (const value of new Set(values)) {
      if (value.length < WINDOW) continue;
      const key = ValueScanner.hash(value, 0);
      const list = this.byPrefix.get(key);
      if (list) list.push(value);
      else this.byPrefix.set(key, [value]);
    }
  }

  private static hash(text: string, from: number): number {
    let h = 0;
    for (let i = from; i < from + WINDOW; i++) h = (h * BASE + text.charCodeAt(i)) % MOD;
    return h;
  }

  /** The indexed values found in `text`, each once. */
  occurring(text: string): Set<string> {
    const found = new Set<string>();
    if (text.length < WINDOW || this.byPrefix.size === 0) return found;
    let h = ValueScanner.hash(text, 0);
    for (let i = 0; ; i++) {
      const candidates = this.byPrefix.get(h);
      if (candidates) for (const value of candidates) if (!found.has(value) && text.startsWith(value, i) && delimited(text, i, value)) found.add(value);
      if (i + WINDOW >= text.length) break;
      h = (((h - ((text.charCodeAt(i) * OUT) % MOD) + MOD) % MOD) * BASE + text.charCodeAt(i + WINDOW)) % MOD;
    }
    return found;
  }
}

const WORD = /[\p{L}\p{N}]/u;

/** Whether `value` at `at` in `text` stands apart from letters and digits around it. */
function delimited(text: string, at: number, value: string): boolean {
  const before = at > 0 && WORD.test(value[0]!) && WORD.test(text[at - 1]!);
  const after = at + value.length < text.length && WORD.test(value.at(-1)!) && WORD.test(text[at + value.length]!);
  return !before && !after;
}
