/**
 * For scenarios that need bytes a well-behaved publisher would never send: impact events encoded
 * with the registered schema but without the contract's checks, other schemas' payloads, and
 * wire-format headers with any magic byte and schema id.
 */
import avro from 'avsc';
import { loadRegistryConfig } from '../../../src/config/config.ts';
import { topicNames } from '../../../src/kafka/topics.ts';
import { deliveryResultSchema, type DeliveryResult } from '../../../src/domain/delivery-result.ts';
import { dropAbsentNulls, fromAvroDatum, toAvroDatum } from '../../../src/schemas/avro-mapping.ts';
import type { z } from 'zod';
import { redactedEventSchema, type RedactedEvent } from '../../../src/domain/redacted-event.ts';
import { currentSchema, valueSubject, type ContractName } from '../../../src/schemas/catalogue.ts';
import { createConfluentRegistry } from '../../../src/schemas/confluent/confluent-registry.ts';

export function wireHeader(id: number, magic = 0): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt8(magic, 0);
  header.writeInt32BE(id, 1);
  return header;
}

export async function avroFixtures(env: Record<string, string>) {
  const registry = createConfluentRegistry(loadRegistryConfig(env));
  const subject = valueSubject(topicNames(env.TOPIC_PREFIX!).events);
  const schema = currentSchema('impact-event');
  const id = await registry.idOf(subject, schema.text);
  return {
    registry,
    subject,
    /** The id of our impact-event schema under the scenario's subject. */
    id,
    /** An event in the wire format, checked only by Avro (not by the zod contract). */
    encodeUnchecked(event: unknown, magic = 0): Buffer {
      return Buffer.concat([wireHeader(id, magic), schema.type.toBuffer(toAvroDatum(schema.type, event))]);
    },
    /** A value of another schema, registered under its own subject: valid Avro that is not an impact event. */
    async otherSchema(name: string, schemaJson: object, value: unknown): Promise<Buffer> {
      const otherId = await registry.register(`${subject}-${name}`, JSON.stringify(schemaJson));
      return Buffer.concat([wireHeader(otherId), avro.Type.forSchema(schemaJson as avro.Schema).toBuffer(value)]);
    },
    /** A newer version of our schema, registered under the subject (it must be BACKWARD compatible). */
    async newerVersion(schemaJson: object): Promise<(event: unknown) => Buffer> {
      const type = avro.Type.forSchema(schemaJson as avro.Schema);
      const newerId = await registry.register(subject, JSON.stringify(schemaJson));
      return (event) => Buffer.concat([wireHeader(newerId), type.toBuffer(toAvroDatum(type, event))]);
    },
  };
}

/**
 * A value as the service writes it (wire format, the contract's current schema), decoded
 * synchronously for topic-tail predicates. Throws on anything else.
 */
function decodeOwn<S extends z.ZodType>(contract: ContractName, zod: S, bytes: Buffer): z.infer<S> {
  if (bytes.length < 5 || bytes[0] !== 0) throw new Error(`a ${contract} that is not in the schema-registry wire format`);
  const { type } = currentSchema(contract);
  return zod.parse(dropAbsentNulls(zod, fromAvroDatum(type, type.fromBuffer(bytes.subarray(5)))));
}

/** A delivery result from the results topic. */
export const decodeResult = (bytes: Buffer): DeliveryResult => decodeOwn('delivery-result', deliveryResultSchema, bytes);

/** A redacted event from the redacted or a deliver topic. */
export const decodeRedacted = (bytes: Buffer): RedactedEvent => decodeOwn('redacted-event', redactedEventSchema, bytes);
