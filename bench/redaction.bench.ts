/**
 * The redaction of one event of each kind: events/s on one core and CPU per event. A plain Node
 * script (figures, never assertions):
 *
 *   node bench/redaction.bench.ts [--seconds 2]
 *
 * Two rows per kind: `redact` is the policy step alone (allow-list, free-text detectors on every
 * string, keyed-HMAC pseudonym, sealed donor contact, audit counts); `stage` adds what the
 * redactor does around it per message — JSON decode with zod validation of the input and encode
 * of the redacted event. Events carry realistic free text (a description or note on each kind
 * that has one); `+PII` variants carry a personal value in each free-text field.
 */
import { randomBytes } from 'node:crypto';
import { createJsonCodec } from '../src/codec/json-codec.ts';
import { createSecretBox } from '../src/crypto/secret-box.ts';
import { EVENT_KINDS, impactEventSchema, type ImpactEvent } from '../src/domain/event.ts';
import { redactedEventSchema } from '../src/domain/redacted-event.ts';
import { sampleEvents } from '../src/publisher/sample-events.ts';
import { POLICY, freeTextFields } from '../src/redaction/policy/policy.ts';
import { createPseudonymizer } from '../src/redaction/pseudonym.ts';
import { createRedactor } from '../src/redaction/redact.ts';
import { cleanCorpus } from '../test/fixtures/pii/clean-corpus.ts';
import { piiText, seededRandom } from '../test/fixtures/pii/generate.ts';
import { benchHeader, benchOptions, formatRate, measure, table } from './lib.ts';

const options = benchOptions();
const redactor = createRedactor(
  POLICY,
  createPseudonymizer(new Map([['p1', randomBytes(32)]]), 'p1'),
  createSecretBox(new Map([['k1', randomBytes(32)]]), 'k1'),
);
const input = createJsonCodec(impactEventSchema);
const output = createJsonCodec(redactedEventSchema);

const clean = cleanCorpus({ seed: 3, size: 400 });
const random = seededRandom(9);
const base = sampleEvents(400, { tenants: ['acme', 'globex', 'initech'], seed: 5, now: new Date() }).map((e, i) =>
  impactEventSchema.parse({ ...e, eventId: e.eventId ?? `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` }),
);

/** Every free-text field of the event filled: clean prose, or a sentence holding one PII value. */
function withText(event: ImpactEvent, pii: boolean): ImpactEvent {
  const payload: Record<string, unknown> = { ...event.payload };
  for (const field of freeTextFields(POLICY, event.kind)) {
    payload[field] = pii ? piiText(random, { maxLength: 120 }).text : clean[Math.floor(random() * clean.length)]!.slice(0, 120);
  }
  return { ...event, payload } as ImpactEvent;
}

const rows: string[][] = [];
for (const kind of EVENT_KINDS) {
  for (const pii of [false, true]) {
    const events = base.filter((e) => e.kind === kind).map((e) => withText(e, pii));
    const bytes = events.map((e) => input.encode(e));
    const now = new Date();
    const redact = measure(events, (event) => redactor.redact(event, now).event.payload === undefined ? 0 : 1, options);
    const stage = measure(bytes, (raw) => output.encode(redactor.redact(input.decode(raw), now).event).length, options);
    const name = `${kind}${pii ? ' +PII' : ''}`;
    const avgBytes = bytes.reduce((n, b) => n + b.length, 0) / bytes.length;
    for (const [step, m] of [['redact', redact], ['stage', stage]] as const) {
      rows.push([name, step, avgBytes.toFixed(0), formatRate(m.opsPerSec), m.wallMicros.toFixed(2), m.cpuMicros.toFixed(2)]);
    }
  }
}

process.stdout.write(benchHeader('redaction per event', options));
process.stdout.write(table(['kind', 'step', 'bytes in', 'events/s', 'µs/event', 'CPU µs/event'], rows));
