/**
 * The subject's own data written into the event's free text, the ways people write it: the whole
 * name, each part, upper case, without diacritics; the email and its local part; the phone in
 * another writing. Subjects from faker's seeded generators (several locales and scripts).
 */
import { fakerDE, fakerEN, fakerES, fakerFR, fakerRU, fakerZH_CN, type Faker } from '@faker-js/faker';
import type { ImpactEvent } from '../../src/domain/event.ts';
import { foldKey } from '../../src/redaction/names/fold.ts';
import { POLICY, freeTextFields } from '../../src/redaction/policy/policy.ts';
import { sampleEvents } from '../../src/publisher/sample-events.ts';
import { impactEventSchema } from '../../src/domain/event.ts';
import { pick, type Random } from '../../test/fixtures/pii/random.ts';

export interface SubjectCase {
  readonly entity: 'name' | 'email' | 'phone';
  readonly shape: string;
  readonly value: string;
  readonly event: ImpactEvent;
}

const LOCALES: readonly Faker[] = [fakerEN, fakerDE, fakerFR, fakerES, fakerRU, fakerZH_CN];
const TEMPLATES = ['Thanks {} for the help!', 'Shift lead: {}.', 'Reach {} after 6pm', 'Notes ({}) added', 'ref/{}'];

function digitsOf(phone: string): string {
  return phone.replace(/\D/g, '');
}

export function subjectCases(random: Random, count: number): SubjectCase[] {
  const base = sampleEvents(count, { tenants: ['acme'], seed: 17, now: new Date('2026-11-20T12:00:00Z') }).map((e, i) =>
    impactEventSchema.parse({ ...e, eventId: e.eventId ?? `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` }),
  );
  const cases: SubjectCase[] = [];
  for (const event of base) {
    const field = freeTextFields(POLICY, event.kind)[0];
    if (field === undefined) continue;
    const f = pick(random, LOCALES);
    const first = f.person.firstName();
    const last = f.person.lastName();
    const han = f === fakerZH_CN;
    const name = han ? `${last}${first}` : `${first} ${last}`;
    const email = `${foldKey(first).replace(/[^a-z]/g, '') || 'user'}.${foldKey(last).replace(/[^a-z]/g, '') || 'x'}${Math.floor(random() * 99)}@example.org`;
    const nsn = `7700${900000 + Math.floor(random() * 99_999)}`.slice(0, 10);
    const phone = `+44 ${nsn.slice(0, 4)} ${nsn.slice(4)}`;
    const subject = { ...event.subject, name, email, phone };
    const variants: [SubjectCase['entity'], string, string][] = [
      ['name', 'whole', name],
      ['name', 'first part', han ? name : first],
      ['name', 'last part, upper case', han ? name : last.toUpperCase()],
      ['name', 'without diacritics', foldKey(name)],
      ['email', 'whole', email],
      ['email', 'local part', email.split('@')[0]!],
      ['phone', 'national', `0${nsn.slice(0, 4)} ${nsn.slice(4)}`],
      ['phone', 'digits only', digitsOf(phone)],
      ['phone', 'dashed', `${nsn.slice(0, 3)}-${nsn.slice(3, 6)}-${nsn.slice(6)}`],
    ];
    for (const [entity, shape, value] of variants) {
      const text = pick(random, TEMPLATES).replace('{}', () => value);
      const payload = { ...event.payload, [field]: text };
      cases.push({ entity, shape, value, event: { ...event, subject, payload } as ImpactEvent });
    }
  }
  return cases;
}
