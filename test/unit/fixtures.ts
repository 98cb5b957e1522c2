/** Shared fixtures for unit tests: real sample events (all four kinds) and fixed test keys. */
import { randomUUID } from 'node:crypto';
import type { EventKind, ImpactEvent } from '../../src/domain/event.ts';
import { sampleEvents } from '../../src/publisher/sample-events.ts';

/** A fixed 32-byte key made of one repeated byte (never a real secret). */
export const testKey = (byte: number): Buffer => Buffer.alloc(32, byte);

/** `count` sample events cycling through all four kinds, every one with an event id. */
export function impactEvents(count = 4, tenants: readonly string[] = ['acme'], seed = 7): ImpactEvent[] {
  return sampleEvents(count, { tenants, seed, now: new Date('2026-11-20T12:00:00.000Z') }).map(
    (event) => ({ ...event, eventId: event.eventId ?? randomUUID() }) as ImpactEvent,
  );
}

/** One sample event of the given kind. */
export function impactEventOf<K extends EventKind>(kind: K, tenantId = 'acme'): Extract<ImpactEvent, { kind: K }> {
  const event = impactEvents(4, [tenantId]).find((candidate) => candidate.kind === kind);
  if (!event) throw new Error(`no sample event of kind ${kind}`);
  return event as Extract<ImpactEvent, { kind: K }>;
}
