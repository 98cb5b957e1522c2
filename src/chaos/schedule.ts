/**
 * A chaos run's fault schedule: a seeded random list of faults over the run's duration, the same
 * list for the same seed and options (so a failing run can be run again exactly). Pure: no I/O,
 * no clock; the runner (bench/chaos.ts) applies it.
 *
 * Dependency faults (PostgreSQL, the Kafka broker, the network to a platform, a killed role) never
 * overlap one another — each is a window with a gap after it — while platform faults (5xx, 429
 * storms, lost answers, slow answers) are drawn independently and may overlap anything.
 */
import { seededRandom } from '../publisher/sample-events.ts';

export const DEPENDENCY_FAULTS = [
  'postgres_stop',
  'postgres_kill',
  'kafka_restart',
  'kafka_kill',
  'net_latency',
  'net_bandwidth',
  'net_stall',
  'net_reset',
  'role_kill',
] as const;
export const PLATFORM_FAULTS = ['platform_5xx', 'platform_429_storm', 'platform_lost_answers', 'platform_slow'] as const;
export type DependencyFault = (typeof DEPENDENCY_FAULTS)[number];
export type PlatformFault = (typeof PLATFORM_FAULTS)[number];
export type FaultKind = DependencyFault | PlatformFault;

export const CHAOS_PLATFORMS = ['goodera', 'benevity', 'workday'] as const;
export const CHAOS_ROLES = ['redactor', 'router', 'deliver:goodera', 'deliver:benevity', 'deliver:workday', 'relay'] as const;

export interface ScheduledFault {
  /** Milliseconds from the start of the run. */
  readonly atMs: number;
  readonly kind: FaultKind;
  /** How long the fault lasts (0 for a kill that is restarted at once). */
  readonly durationMs: number;
  /** A platform (network and platform faults) or a role (role_kill). */
  readonly target?: string;
}

export interface ScheduleOptions {
  readonly seed: number;
  readonly durationMs: number;
  /** Faults of the dependency kinds to draw from (all by default). */
  readonly kinds?: readonly DependencyFault[];
  /** Mean gap between faults; by default 20 s, or a fifteenth of a short run. */
  readonly meanGapMs?: number;
}

const DURATION_MS: Record<DependencyFault, readonly [number, number]> = {
  postgres_stop: [5_000, 30_000],
  postgres_kill: [1_000, 5_000],
  kafka_restart: [1_000, 5_000],
  kafka_kill: [1_000, 5_000],
  net_latency: [5_000, 20_000],
  net_bandwidth: [5_000, 15_000],
  net_stall: [5_000, 15_000],
  net_reset: [5_000, 15_000],
  role_kill: [0, 0],
};

/** The schedule for `options`: dependency and platform faults, ordered by start time. */
export function chaosSchedule(options: ScheduleOptions): ScheduledFault[] {
  if (!Number.isInteger(options.seed)) throw new Error('chaos schedule: seed must be an integer');
  if (!(options.durationMs > 0)) throw new Error('chaos schedule: durationMs must be > 0');
  const random = seededRandom(options.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const between = ([low, high]: readonly [number, number]) => low + Math.floor(random() * (high - low + 1));
  const kinds = options.kinds ?? DEPENDENCY_FAULTS;
  const meanGap = options.meanGapMs ?? Math.min(20_000, Math.round(options.durationMs / 15));
  // Faults stop early enough for the last one to end inside the run; the end is for draining.
  const lastStart = options.durationMs * 0.8;
  const faults: ScheduledFault[] = [];

  let at = Math.floor(meanGap / 2 + random() * meanGap);
  while (kinds.length > 0 && at < lastStart) {
    const kind = pick(kinds);
    const durationMs = Math.min(between(DURATION_MS[kind]), Math.max(0, lastStart - at));
    const target = kind.startsWith('net_') ? pick(CHAOS_PLATFORMS) : kind === 'role_kill' ? pick(CHAOS_ROLES) : undefined;
    faults.push({ atMs: at, kind, durationMs, ...(target === undefined ? {} : { target }) });
    at += durationMs + Math.floor(meanGap / 2 + random() * meanGap);
  }

  let platformAt = Math.floor(random() * meanGap);
  while (platformAt < lastStart) {
    const kind = pick(PLATFORM_FAULTS);
    const durationMs = Math.min(between([3_000, 10_000]), Math.max(0, lastStart - platformAt));
    faults.push({ atMs: platformAt, kind, durationMs, target: pick(CHAOS_PLATFORMS) });
    platformAt += durationMs + Math.floor(random() * meanGap);
  }
  return faults.sort((a, b) => a.atMs - b.atMs || a.kind.localeCompare(b.kind));
}

/** How many faults of each kind a schedule holds (every kind listed, 0 when absent). */
export function countByKind(faults: readonly ScheduledFault[]): Record<FaultKind, number> {
  const counts = Object.fromEntries([...DEPENDENCY_FAULTS, ...PLATFORM_FAULTS].map((kind) => [kind, 0])) as Record<FaultKind, number>;
  for (const fault of faults) counts[fault.kind]++;
  return counts;
}
