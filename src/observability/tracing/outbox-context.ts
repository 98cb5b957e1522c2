/**
 * The trace context an outbox row keeps (in its `headers`, with the rest of the message's headers),
 * so the relay's span and the result on the results topic stay in the event's trace. A row that
 * already names its parent keeps it; a result row (key `<eventId>:<platform>`) takes its event's
 * span when a batch handler registered one; otherwise the span active while the row is written.
 */
import { context, trace } from '@opentelemetry/api';
import type { OutboundMessage } from '../../kafka/ports.ts';
import { eventContext } from './event-contexts.ts';
import { carriesTrace, headersWithContext } from './propagation.ts';
import { PUBLISHED_AT_HEADER, publishedAtOf } from '../latency/published-at.ts';

export function outboxHeaders(message: OutboundMessage): Record<string, string> {
  const headers: Record<string, string> = { ...message.headers };
  if (carriesTrace(headers)) return headers;
  const key = message.key === null ? '' : message.key.toString();
  // A result's key is its delivery id, `<eventId>:<platform>`.
  const ctx = (message.key === null ? undefined : eventContext(key)) ?? context.active();
  const publishedAt = publishedAtOf(ctx);
  const out = trace.getSpan(ctx) === undefined ? headers : headersWithContext(headers, ctx);
  return publishedAt === undefined || out[PUBLISHED_AT_HEADER] !== undefined ? out : { ...out, [PUBLISHED_AT_HEADER]: publishedAt };
}
