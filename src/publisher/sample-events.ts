/**
 * Sample impact events for the demo, the CLI's `publish` and the tests: every kind, realistic
 * values, and the personal fields (name, email, phone) redaction must remove. Deterministic for
 * a given seed.
 */
import type { NewImpactEvent } from './publisher.ts';

const ACTIVITIES = ['Food bank shift', 'Beach clean-up', 'Coding mentorship', 'Tree planting', 'Reading buddies'];
const PROGRAMS = [
  { id: 'prg-stem-girls', name: 'STEM for Girls' },
  { id: 'prg-green-skills', name: 'Green Skills Academy' },
];
const FIRST = ['Ada', 'Grace', 'Alan', 'Katherine', 'Linus', 'Margaret'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Johnson', 'Torvalds', 'Hamilton'];

/** Small deterministic PRNG (mulberry32) so a seed reproduces the same events. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SampleOptions {
  readonly tenants: readonly string[];
  readonly seed?: number;
  /** Distinct employees per tenant (events of one employee keep their order). */
  readonly employeesPerTenant?: number;
  /**
   * The clock the events are dated by: each `occurredAt` falls within the 20 days before it.
   * Required, so a caller that fixes its own "now" (a test, a backfill) cannot get events dated
   * by the real clock instead — a test that mixed the two started failing once the real date
   * moved past its fixed one.
   */
  readonly now: Date;
}

export function sampleEvents(count: number, options: SampleOptions): NewImpactEvent[] {
  const random = seededRandom(options.seed ?? 1);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const now = options.now;
  const employees = options.employeesPerTenant ?? 20;
  const events: NewImpactEvent[] = [];
  for (let i = 0; i < count; i++) {
    const tenantId = options.tenants[i % options.tenants.length]!;
    const n = Math.floor(random() * employees);
    const first = FIRST[n % FIRST.length]!;
    const last = LAST[(n * 7) % LAST.length]!;
    const occurred = new Date(now.getTime() - Math.floor(random() * 20 * 24 * 3600 * 1000));
    const subject = {
      employeeId: `E${String(10_000 + n)}`,
      name: `${first} ${last}`,
      email: `${first}.${last}${n}@example.com`.toLowerCase(),
      phone: `+44 7700 9${String(n).padStart(5, '0')}`,
    };
    const base = { eventId: randomUUIDFrom(random), tenantId, occurredAt: occurred.toISOString(), source: 'hr-volunteering', subject };
    const program = pick(PROGRAMS);
    switch (i % 4) {
      case 0:
        events.push({
          ...base,
          kind: 'volunteer_activity',
          payload: {
            activityName: pick(ACTIVITIES),
            hours: Math.round((0.5 + random() * 7.5) * 4) / 4,
            activityDate: occurred.toISOString().slice(0, 10),
            projectId: `prj-${1 + Math.floor(random() * 5)}`,
            organizationId: `org-${1 + Math.floor(random() * 3)}`,
          },
        });
        break;
      case 1:
        events.push({
          ...base,
          kind: 'donation',
          payload: {
            amountMinor: 500 + Math.floor(random() * 50_000),
            currency: pick(['GBP', 'EUR', 'USD']),
            recipientId: `charity-${1 + Math.floor(random() * 9)}`,
            campaignId: 'cmp-winter-appeal',
          },
        });
        break;
      case 2:
        events.push({
          ...base,
          kind: 'program_enrolment',
          payload: { programId: program.id, programName: program.name, enrolledOn: occurred.toISOString().slice(0, 10) },
        });
        break;
      default:
        events.push({
          ...base,
          kind: 'program_outcome',
          payload: { programId: program.id, outcome: 'sessions_completed', value: 1 + Math.floor(random() * 12), unit: 'sessions' },
        });
    }
  }
  return events;
}

/** A v4-shaped UUID from the seeded PRNG, so a seed reproduces the event ids too. */
function randomUUIDFrom(random: () => number): string {
  const bytes = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) bytes[i] = Math.floor(random() * 256);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
