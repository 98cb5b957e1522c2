/**
 * The invariants a chaos run is judged by, checked over what it observed once the pipeline went
 * quiet. Pure: the runner gathers the observations, this says what is wrong with them.
 */

export interface ChaosObservations {
  /** `eventId:platform` for each accepted event and each platform that takes its kind. */
  readonly expected: ReadonlySet<string>;
  /** Every final result message seen on the results topic (the relay may publish one twice). */
  readonly results: readonly { readonly eventId: string; readonly platform: string; readonly status: string }[];
  /** What each simulator applied: by business key, and how many keys it applied more than once. */
  readonly simulators: Readonly<Record<string, { readonly accepted: number; readonly duplicates: number }>>;
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
    if (stats.duplicates > 0) violations.push({ kind: 'applied_twice', detail: `${platform}: ${stats.duplicates} business keys applied more than once` });
    if (stats.accepted !== want) violations.push({ kind: 'applied_count', detail: `${platform}: applied ${stats.accepted}, expected ${want}` });
  }

  if (o.deadLetters !== o.injectedBad) {
    violations.push({ kind: 'dead_letters', detail: `events dead-lettered ${o.deadLetters}, bad input injected ${o.injectedBad}` });
  }
  if (o.otherDeadLetters > 0) violations.push({ kind: 'dead_letters', detail: `${o.otherDeadLetters} messages on the redacted/deliver dead-letter topics` });

  const leaks: string[] = [];
  for (const { where, text } of o.haystacks) {
    for (const value of o.piiValues) if (text.includes(value)) leaks.push(`${where}: a value of ${value.length} characters`);
  }
  if (leaks.length > 0) violations.push({ kind: 'pii_leak', detail: some(leaks) });

  if (o.lag !== 0) violations.push({ kind: 'lag', detail: `consumer lag ${o.lag} after the run went quiet` });
  return violations;
}
