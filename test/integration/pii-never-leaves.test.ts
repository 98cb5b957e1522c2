/**
 * What must hold: personal data published into EVERY string field of EVERY event kind — subject
 * name, email, phone and employee id, the source, every payload string — never leaves the
 * redaction boundary. Not one value survives into what the platform received, the dead-letter
 * topics (good events and malformed ones carrying PII), the redacted topic, the outbox, the
 * results topic, the audit rows or the service's logs. The audit holds counts per field and
 * detector, the policy version and the key id — and no values.
 */
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { EVENT_KINDS, PAYLOAD_SCHEMAS, type EventKind } from '../../src/domain/event.ts';
import { readTopicToEnd } from '../../src/kafka/kafkajs/read-topic.ts';
import type { InboundMessage } from '../../src/kafka/ports.ts';
import { sampleEvents } from '../../src/publisher/sample-events.ts';
import type { NewImpactEvent } from '../../src/publisher/publisher.ts';
import { POLICY } from '../../src/redaction/policy/policy.ts';
import { generatePii, PII_DETECTORS, piiText, seededRandom, type PiiSample } from '../fixtures/pii/generate.ts';
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

/** String fields of a kind's payload, with the schema's maximum length of each. */
function stringFields(kind: EventKind): Map<string, number> {
  const fields = new Map<string, number>();
  for (const [field, schema] of Object.entries(PAYLOAD_SCHEMAS[kind].shape)) {
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
  // A sentence holding one value, or the bare value where a short field (unit ≤ 32) needs it;
  // drawn again until it fits the field's schema limit.
  const seedText = (maxLength: number) => {
    for (;;) {
      const { text, sample } = piiText(random, { maxLength });
      if (text.length > maxLength) continue;
      seeded.push(sample);
      return text;
    }
  };
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
      const payload: Record<string, unknown> = { ...event.payload };
      // ≤ 64 characters: Goodera's own limit on its names and ids (longer is a 422, not a leak).
      for (const [field, maxLength] of fields) payload[field] = seedText(Math.min(maxLength, 64));
      events.push({
        ...event,
        source: seedText(128),
        subject: { employeeId: idSample.value, name: `Name ${email.value}`, email: email.value, phone: phone.value },
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
  const ids = await pipeline.publisher.publishImpactEvents(events);
  expect(seeded.length).toBeGreaterThan(1_000);

  await pipeline.tail.waitFor(pipeline.topics.results, () => pipeline.results().length >= ids.length, 150_000);
  await pipeline.tail.waitFor(pipeline.topics.eventsDlq, (m) => m.length >= 2, 30_000);
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
  expect(leaks).toEqual([]);

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
