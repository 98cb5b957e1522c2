/**
 * The registry codecs of impact-in's contracts, built from the current schema version in
 * `schemas/` and the contract's zod rules, with the subject of the topic they are used on.
 */
import { deliveryResultSchema, type DeliveryResult } from '../../domain/delivery-result.ts';
import type { ImpactEvent } from '../../domain/event.ts';
import { redactedEventSchema, type RedactedEvent } from '../../domain/redacted-event.ts';
import { impactEventSchema } from '../../domain/event.ts';
import { currentSchema, valueSubject } from '../../schemas/catalogue.ts';
import type { SchemaRegistry } from '../../schemas/registry.ts';
import type { AsyncCodec } from '../codec.ts';
import { createRegistryCodec } from './registry-codec.ts';

/** Impact events on the input topic, as domain services publish them. */
export function impactEventCodec(registry: SchemaRegistry, topic: string): AsyncCodec<ImpactEvent> {
  return createRegistryCodec({ registry, subject: valueSubject(topic), schema: currentSchema('impact-event').text, zod: impactEventSchema });
}

/** Delivery results on the results topic, as analytics reads them. */
export function deliveryResultCodec(registry: SchemaRegistry, topic: string): AsyncCodec<DeliveryResult> {
  return createRegistryCodec({ registry, subject: valueSubject(topic), schema: currentSchema('delivery-result').text, zod: deliveryResultSchema });
}

/**
 * Redacted events on the redacted topic. The router forwards the bytes unchanged to the deliver
 * topics, whose subjects hold the same schema (the registry gives identical schemas one id).
 */
export function redactedEventCodec(registry: SchemaRegistry, topic: string): AsyncCodec<RedactedEvent> {
  return createRegistryCodec({ registry, subject: valueSubject(topic), schema: currentSchema('redacted-event').text, zod: redactedEventSchema });
}
