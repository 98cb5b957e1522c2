/**
 * Which trace each delivery in flight (`<eventId>:<platform>`, the delivery id) belongs to — keyed
 * per platform, as one process may deliver the same event to several platforms at once. A batch handler (Goodera's chunk of records) runs
 * many events under one call, so the active context cannot name the event; the stage wrapper
 * records each event's span context here for the duration of the call, and the traced connector
 * and the outbox parent their spans on it. Entries live only while the handler runs.
 */
import type { Context } from '@opentelemetry/api';

const contexts = new Map<string, Context>();

export function eventContext(deliveryId: string): Context | undefined {
  return contexts.get(deliveryId);
}

/** Runs `fn` with `entries` registered, removing them afterwards (only those it registered). */
export async function withEventContexts<T>(entries: readonly (readonly [string, Context])[], fn: () => Promise<T>): Promise<T> {
  const added: [string, Context][] = [];
  for (const [eventId, ctx] of entries) {
    if (contexts.has(eventId)) continue;
    contexts.set(eventId, ctx);
    added.push([eventId, ctx]);
  }
  try {
    return await fn();
  } finally {
    for (const [eventId, ctx] of added) if (contexts.get(eventId) === ctx) contexts.delete(eventId);
  }
}
