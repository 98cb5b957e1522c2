/**
 * What must hold: the import-completion callback impact-in accepts from Benevity — its JSON body
 * and its `x-benevity-signature: t=…,v1=…` header — is written down as a message pact
 * (contracts/pacts/impact-in-benevity-import-callbacks.json) that equals the committed one, and
 * impact-in's own parsing turns each described message into the delivery outcomes it records.
 *
 * Why a message pact: the callback is a request Benevity makes to us, long after our import call,
 * so it is not one of the connector's request/response interactions. Written as a message (body +
 * signature header as metadata), impact-in stays the consumer that states what it needs, and the
 * provider side is Benevity's job runner producing the message (benevity-callback.provider.test.ts).
 * The HMAC itself cannot live in a contract (it depends on the secret and the time): the contract
 * fixes its format; test/integration/benevity-callback.test.ts proves the verification.
 */
import { MatchersV3, MessageConsumerPact } from '@pact-foundation/pact';
import { describe, expect, it, beforeAll } from 'vitest';
import { toJobResults } from '../../src/connectors/benevity/benevity.connector.ts';
import { importCallbackSchema } from '../../src/connectors/benevity/benevity.schema.ts';
import { toBenevityHoursRecord } from '../../src/connectors/benevity/benevity.mapper.ts';
import type { RedactedEvent } from '../../src/domain/redacted-event.ts';
import { parseSignatureHeader, SIGNATURE_HEADER } from '../../src/connectors/benevity/benevity.signature.ts';
import { ISO_TIME, requestOf, sampleEvent } from './helpers/consumer.ts';
import { CONSUMER, driftOf, freshPactFile, GENERATED_PACTS } from './helpers/pact-files.ts';

const { like, regex } = MatchersV3;
const PROVIDER = 'benevity-import-callbacks';
const CREDENTIALS = { clientId: 'impact-in-contract', clientSecret: 'contract-client-secret', callbackSecret: 'contract-callback-secret-0123456789' };
const JOB_ID = 'job_6d1f4a2e-0000-4000-8000-000000000002';
const SIGNATURE = regex('^t=[0-9]{1,12},v1=[0-9a-f]{64}$', `t=1795867200,v1=${'5e'.repeat(32)}`);

const accepted = sampleEvent('volunteer_activity');
// Benevity takes an activity name of at most 200 characters; our events allow 256.
const refused = sampleEvent('volunteer_activity', (e) => ({ ...e, payload: { ...e.payload, activityName: 'a'.repeat(201) } }));
const recordOf = (event: RedactedEvent) =>
  toBenevityHoursRecord(event as Extract<RedactedEvent, { kind: 'volunteer_activity' }>, requestOf('benevity', event, CREDENTIALS).idempotencyKey);

function pact() {
  return new MessageConsumerPact({ consumer: CONSUMER, provider: PROVIDER, dir: GENERATED_PACTS, logLevel: 'warn' });
}

/** What impact-in does with a callback once its signature is verified: parse, then map each result. */
function receive(message: { contents: unknown; metadata?: Record<string, unknown> }) {
  const signature = parseSignatureHeader(String(message.metadata?.[SIGNATURE_HEADER]));
  expect(signature).not.toBeNull();
  const parsed = importCallbackSchema.parse(message.contents);
  return toJobResults(parsed.results);
}

beforeAll(() => freshPactFile(PROVIDER));

describe('benevity import-callback consumer contract', () => {
  it('a completion with its one record accepted becomes a delivered outcome', async () => {
    const record = recordOf(accepted);
    await pact()
      .given({ name: 'an import of one valid record has completed', params: { record: JSON.stringify(record) } })
      .expectsToReceive('an import-completion callback with one record accepted')
      .withContent({
        jobId: like(JOB_ID),
        status: 'completed',
        completedAt: ISO_TIME,
        results: [{ index: 0, externalId: record.externalId, status: 'accepted', id: like('vh_0a7b0000-0000-4000-8000-000000000003') }],
      })
      .withMetadata({ [SIGNATURE_HEADER]: SIGNATURE, 'content-type': 'application/json' })
      .verify(async (message) => {
        expect(receive(message as never)).toEqual([
          { index: 0, externalId: record.externalId, outcome: { status: 'delivered', externalRef: 'vh_0a7b0000-0000-4000-8000-000000000003' } },
        ]);
      });
  });

  it('a completion with its one record refused becomes a rejection naming Benevity\'s code', async () => {
    const record = recordOf(refused);
    await pact()
      .given({ name: 'an import of one record Benevity refuses has completed', params: { record: JSON.stringify(record) } })
      .expectsToReceive('an import-completion callback with one record rejected')
      .withContent({
        jobId: like(JOB_ID),
        status: 'completed',
        completedAt: ISO_TIME,
        results: [{ index: 0, externalId: record.externalId, status: 'rejected', error: { code: like('validation_failed'), message: like('activityName: too long') } }],
      })
      .withMetadata({ [SIGNATURE_HEADER]: SIGNATURE, 'content-type': 'application/json' })
      .verify(async (message) => {
        const [result] = receive(message as never);
        expect(result?.outcome).toMatchObject({ status: 'rejected', errorClass: 'PLATFORM_REJECTED', reason: expect.stringContaining('validation_failed') });
      });
  });

  it('the pact equals the committed contract (no drift)', () => {
    const { generated, committed } = driftOf(PROVIDER);
    expect(generated).toEqual(committed);
  });
});
