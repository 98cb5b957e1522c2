/**
 * What must hold: personal data published into EVERY string field of EVERY event kind — subject
 * name, email, phone and employee id, the source, every free-text payload string; values glued
 * to punctuation, in URLs, paths and ids; other people's names and the subject's own name (its
 * parts, upper case, without diacritics) in Latin, Cyrillic, Greek, Arabic and CJK scripts; a
 * name only the tenant's deny-list knows; and
 * personal data inside id fields (those events are dead-lettered) — never leaves the
 * redaction boundary. Not one value survives into what the platform received, the dead-letter
 * topics (good events and malformed ones carrying PII), the redacted topic, the outbox, the
 * results topic, the audit rows or the service's logs. The audit holds counts per field and
 * detector, the policy version and the key id — and no values.
 */
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { EVENT_KINDS, ID_FIELDS, PAYLOAD_SCHEMAS, type EventKind } from '../../src/domain/event.ts';
import { DLQ_HEADERS } from '../../src/kafka/dead-letter.ts';
import { readTopicToEnd } from '../../src/kafka/kafkajs/read-topic.ts';
import type { InboundMessage } from '../../src/kafka/ports.ts';
import { sampleEvents } from '../../src/publisher/sample-events.ts';
import type { NewImpactEvent } from '../../src/publisher/publisher.ts';
import { POLICY } from '../../src/redaction/policy/policy.ts';
import { generatePii, pick, PII_DETECTORS, piiText, seededRandom, type PiiSample } from '../fixtures/pii/generate.ts';
import { nameParts, OTHER_PEOPLE, plain, SUBJECT_NAMES } from '../fixtures/pii/names.ts';
import { randomSurrounding, surround } from '../fixtures/pii/surroundings.ts';
import { createPipeline, TENANTS, type Pipeline } from './helpers/pipeline.ts';
import { spawnService, type ServiceProcess } from './helpers/service-process.ts';

const PER_KIND = 60;
const DETECTORS = new Set<string>(PII_DETECTORS);
let pipeline: Pipeline;
let service: ServiceProcess;

beforeAll(async () => {
  pipeline = await createPipeline('pii');
  service = spawnService('pii', pipeline.scenario.env);
  await service.started;
});

afterAll(async () => {
  await service?.stop();
  await pipeline?.close();
});

/** Free-text string fields of a kind's payload (ids aside), with the schema's maximum length of each. */
function stringFields(kind: EventKind): Map<string, number> {
  const fields = new Map<string, number>();
  for (const [field, schema] of Object.entries(PAYLOAD_SCHEMAS[kind].shape)) {
    if (ID_FIELDS.has(field)) continue;
    const json = (schema as { toJSONSchema(): { type?: string; maxLength?: number; anyOf?: unknown } }).toJSONSchema();
    if (json.type === 'string' && json.maxLength !== undefined && !('format' in json)) fields.set(field, json.maxLength);
  }
  return fields;
}

/**
 * Forms a value may leak in: as written, and with separators removed (a detector that took only
 * part of a spaced card number would leave the digits behind).
 */
function leakForms(sample: PiiSample): string[] {
  if (!COMPACTABLE.has(sample.detector)) return [sample.value];
  const compact = sample.value.replace(/[\s.\-()/]/g, '');
  return compact.length >= 8 && compact !== sample.value ? [sample.value, compact] : [sample.value];
}
const COMPACTABLE = new Set(['payment_card', 'iban', 'phone', 'us_ssn', 'uk_nino']);

test('PII in every field of every kind: zero values leave; the audit holds counts only', async () => {
  const random = seededRandom(4242);
  const seeded: PiiSample[] = [];
  /** Names that must not leave: other people's, and the subjects' with their parts and plain forms. */
  const names = new Set<string>();
  // A sentence holding one value — or, one time in two, the value glued into a surrounding (URL,
  // path, id, `_`, `/`, `-`, brackets) — or the bare value where a short field needs it; drawn
  // again until it fits the field's schema limit.
  const seedText = (maxLength: number) => {
    for (;;) {
      const { text: sentence, sample } = piiText(random, { maxLength });
      const glued = surround(randomSurrounding(random), sample.embed);
      const text = random() < 0.5 && glued.length <= maxLength ? glued : sentence;
      if (text.length > maxLength) continue;
      seeded.push(sample);
      return text;
    }
  };
  /** A name to add to a free-text field: another person's, or a part of the subject's own, as typed. */
  const nameText = (subjectName: string) => {
    const own = nameParts(subjectName);
    const name = pick(random, [pick(random, OTHER_PEOPLE), pick(random, own), pick(random, own).toUpperCase(), plain(pick(random, own)), DENIED]);
    return name;
  };
  for (const name of OTHER_PEOPLE) names.add(name);
  // A name no list knows, on each tenant's deny-list (tenant policy in PostgreSQL).
  const DENIED = 'Quillfeather';
  names.add(DENIED);
  for (const tenant of TENANTS) await pipeline.scenario.tenants.upsertTenant(tenant, undefined, { denyList: [DENIED] });
  const events: NewImpactEvent[] = [];
  for (const kind of EVENT_KINDS) {
    const base = sampleEvents(PER_KIND * 4, { tenants: TENANTS, seed: 7, now: new Date() }).filter((e) => e.kind === kind);
    const fields = stringFields(kind);
    expect(fields.size).toBeGreaterThan(0);
    for (const [i, event] of base.entries()) {
      // Each personal subject field gets a fresh value of its own type, cycling the detectors
      // through the employee id (an email or phone used as an id must come out as a pseudonym).
      const email = generatePii(random, 'email');
      const phone = generatePii(random, 'phone');
      const idSample = generatePii(random, PII_DETECTORS[i % PII_DETECTORS.length]!);
      seeded.push(email, phone, idSample);
      const subjectName = SUBJECT_NAMES[i % SUBJECT_NAMES.length]!;
      const payload: Record<string, unknown> = { ...event.payload };
      // ≤ 64 characters: Goodera's own limit on its names and ids (longer is a 422, not a leak);
      // each free-text field also names a person.
      for (const [field, maxLength] of fields) {
        const name = nameText(subjectName);
        const limit = Math.min(maxLength, 64);
        payload[field] = limit >= 48 ? `${seedText(limit - name.length - 3)} — ${name}` : seedText(limit);
      }
      events.push({
        ...event,
        source: `${seedText(100)} / ${pick(random, OTHER_PEOPLE)}`,
        subject: { employeeId: idSample.value, name: subjectName, email: email.value, phone: phone.value },
        payload,
      } as NewImpactEvent);
    }
  }
  // Malformed events carrying PII: invalid JSON and a schema violation. They are dead-lettered
  // sealed; their PII must not show in the dead letter's bytes or headers.
  const brokenSample = generatePii(random, 'payment_card');
  const badSample = generatePii(random, 'iban');
  seeded.push(brokenSample, badSample);
  await pipeline.publisher.publishRaw([
    { key: 'acme:broken', value: `{"eventId": "x", "note": "${brokenSample.value}"` },
    { key: 'acme:invalid', value: JSON.stringify({ ...events[0], eventId: 'not-a-uuid', source: badSample.value }) },
  ]);
  for (const name of SUBJECT_NAMES) for (const part of nameParts(name)) names.add(part).add(part.toUpperCase()).add(plain(part));
  // Personal data inside id fields: an id leaves as it is, so these events are dead-lettered.
  const activity = events.find((e) => e.kind === 'volunteer_activity')!;
  const inIds = [
    { field: 'projectId', value: 'prj-555-123-4567', leak: '555-123-4567' },
    { field: 'projectId', value: 'p-ivan-petrov', leak: 'ivan-petrov' },
    { field: 'organizationId', value: 'ref_4111111111111111', leak: '4111111111111111' },
    { field: 'organizationId', value: 'org-vindelev', leak: 'vindelev' },
    { field: 'projectId', value: 'iban_GB82WEST12345698765432', leak: 'GB82WEST12345698765432' },
  ];
  const idEvents = inIds.map(
    ({ field, value }, k) =>
      ({
        ...activity,
        eventId: `00000000-0000-4000-8000-0000000011${String(k).padStart(2, '0')}`,
        subject: { ...activity.subject, name: 'Søren Vindelev' },
        payload: { ...activity.payload, [field]: value },
      }) as NewImpactEvent,
  );
  await pipeline.publisher.publishImpactEvents(idEvents);
  const ids = await pipeline.publisher.publishImpactEvents(events);
  expect(seeded.length).toBeGreaterThan(1_000);

  await pipeline.tail.waitFor(pipeline.topics.results, () => pipeline.results().length >= ids.length, 150_000);
  await pipeline.tail.waitFor(pipeline.topics.eventsDlq, (m) => m.length >= 2 + inIds.length, 30_000);
  await service.stop();

  // Everything that crossed the redaction boundary, as raw bytes and text.
  const kafka = pipeline.scenario.kafka;
  const topics = pipeline.topics;
  const onTopics: InboundMessage[] = [];
  for (const topic of [topics.redacted, topics.results, topics.eventsDlq, topics.redactedDlq, topics.deliverDlq.goodera]) {
    onTopics.push(...(await readTopicToEnd(kafka, topic)));
  }
  const db = pipeline.scenario.db;
  // The payload is bytea: read it as bytes and search it as text (to_jsonb would hex-encode it).
  const outbox = await db.selectFrom('outbox').select(['topic', 'message_key', 'headers', 'payload']).execute();
  const deliveries = await sql<{ row: unknown }>`select to_jsonb(d) as row from impact_deliveries d`.execute(db);
  const audits = await db.selectFrom('redaction_audit').selectAll().execute();
  const surfaces: Record<string, string> = {
    simulator: JSON.stringify(pipeline.goodera.records()),
    topics: onTopics
      .map((m) => [m.key?.toString('latin1') ?? '', m.value?.toString('latin1') ?? '', JSON.stringify(m.headers)].join('\n'))
      .join('\n'),
    outbox: outbox.map((o) => [o.message_key ?? '', JSON.stringify(o.headers), Buffer.from(o.payload).toString('latin1')].join('\n')).join('\n'),
    deliveries: JSON.stringify(deliveries.rows),
    audit: JSON.stringify(audits),
    logs: readFileSync(service.logFile, 'utf8'),
  };
  expect(outbox.length).toBeGreaterThanOrEqual(ids.length);

  const leaks: string[] = [];
  for (const sample of seeded) {
    for (const form of leakForms(sample)) {
      for (const [surface, text] of Object.entries(surfaces)) {
        if (text.includes(form)) leaks.push(`${sample.detector}/${sample.format} in ${surface}`);
      }
    }
  }
  for (const name of names) {
    for (const [surface, text] of Object.entries(surfaces)) if (text.includes(name)) leaks.push(`name ${name} in ${surface}`);
  }
  for (const { leak } of inIds) {
    for (const [surface, text] of Object.entries(surfaces)) if (text.includes(leak)) leaks.push(`id value in ${surface}`);
  }
  expect(leaks).toEqual([]);

  // The events with personal data in an id: dead-lettered VALIDATION_FAILED, the field named.
  const idDead = onTopics.filter((m) => m.headers[DLQ_HEADERS.reason]?.includes('an id that holds personal data'));
  expect(idDead.map((m) => m.headers[DLQ_HEADERS.code])).toEqual(inIds.map(() => 'VALIDATION_FAILED'));
  expect(idDead.map((m) => m.headers[DLQ_HEADERS.reason]!.split(':')[0]).sort()).toEqual(inIds.map((c) => `payload.${c.field}`).sort());

  // Nothing was lost to redaction: every good event was delivered.
  const results = pipeline.results();
  expect(new Set(results.map((r) => r.eventId))).toEqual(new Set(ids));
  const outcomes = new Map<string, number>();
  for (const r of results) outcomes.set(`${r.status}:${r.errorClass ?? ''}:${r.errorReason ?? ''}`, (outcomes.get(`${r.status}:${r.errorClass ?? ''}:${r.errorReason ?? ''}`) ?? 0) + 1);
  expect(Object.fromEntries(outcomes)).toEqual({ 'delivered::': ids.length });
  expect(pipeline.goodera.stats()).toMatchObject({ accepted: ids.length, duplicates: 0 });

  // The audit: one row per event with counts per field and detector, the policy version and the
  // pseudonym key id. Every seeded payload field shows a detector hit; the subject's personal
  // fields show as dropped.
  expect(audits).toHaveLength(ids.length);
  for (const audit of audits) {
    expect(audit.policy_version).toBe(POLICY.version);
    expect(audit.key_id).toBe('p1');
    const counts = audit.counts as Record<string, Record<string, number>>;
    for (const field of stringFields(audit.event_kind as EventKind).keys()) {
      const hits = Object.keys(counts[`payload.${field}`] ?? {}).filter((what) => DETECTORS.has(what));
      expect(hits.length, `${audit.event_kind} payload.${field}: ${JSON.stringify(counts)}`).toBeGreaterThan(0);
    }
    for (const field of ['subject.email', 'subject.phone']) {
      expect(counts[field], `${field}: ${JSON.stringify(counts)}`).toBeDefined();
    }
    for (const value of Object.values(counts).flatMap((byAction) => Object.values(byAction))) {
      expect(Number.isInteger(value)).toBe(true);
    }
  }
});
