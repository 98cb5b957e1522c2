/**
 * Publish → result latency. The redactor's input record's Kafka timestamp (when the event landed
 * on the input topic) rides on as the `impact-published-at` header — through the redacted and
 * deliver topics, the parked and job rows that keep a message, and the outbox row — and the relay
 * observes the latency when it publishes the final result (results-meter.ts).
 */
import { createContextKey, type Context } from '@opentelemetry/api';
import type { BatchTransform } from '../../kafka/ports.ts';

export const PUBLISHED_AT_HEADER = 'impact-published-at';

/** Where a stage wrapper keeps the header's value in the event's context, for the outbox row. */
export const PUBLISHED_AT = createContextKey('impact-in published-at');

export function publishedAtOf(ctx: Context): string | undefined {
  const value = ctx.getValue(PUBLISHED_AT);
  return typeof value === 'string' ? value : undefined;
}

/** The redactor's inputs, each stamped with the time it landed on the input topic (unless it carries one). */
export function stampPublishedAt(transform: BatchTransform): BatchTransform {
  return (messages, signal) =>
    transform(
      messages.map((message) =>
        message.headers[PUBLISHED_AT_HEADER] !== undefined || !/^\d+$/.test(message.timestamp)
          ? message
          : { ...message, headers: { ...message.headers, [PUBLISHED_AT_HEADER]: message.timestamp } },
      ),
      signal,
    );
}
