/**
 * Spans of an asynchronous platform job's completion (Benevity's signed import callback, or a poll
 * of an overdue job). The callback is a SERVER span of its own trace — one request finishes many
 * events; each record the completion records gets a span in its own event's trace (the child of
 * the submission's context, which the job's record row kept in its message headers), linked to
 * the callback span, and the callback span links back to each submission. The result written to
 * the outbox carries the record span's context, so the relay and the result stay in the event's trace.
 */
import { context, SpanKind, trace, type Span } from '@opentelemetry/api';
import type { CallbackHandler } from '../../jobs/callback-server.ts';
import { ATTR } from './attributes.ts';
import { PUBLISHED_AT_HEADER } from '../latency/published-at.ts';
import { contextFromHeaders, headersWithContext } from './propagation.ts';
import { recordError, TRACER_NAME } from './stage-spans.ts';

export function traceCallback(platform: string, handler: CallbackHandler): CallbackHandler {
  return async (request) => {
    const span = trace.getTracer(TRACER_NAME).startSpan(`${platform} callback`, {
      kind: SpanKind.SERVER,
      attributes: { [ATTR.platform]: platform, [ATTR.tenantId]: request.target, 'http.request.method': 'POST', 'http.route': `/callbacks/${platform}/{tenant}` },
    });
    try {
      const response = await context.with(trace.setSpan(context.active(), span), () => handler(request));
      span.setAttribute('http.response.status_code', response.status);
      span.setAttribute(ATTR.outcome, response.code);
      return response;
    } catch (error) {
      recordError(span, error);
      throw error;
    } finally {
      span.end();
    }
  };
}

/** The headers for a job record's result: a span in the record's event trace, linked with the active (callback or poll) span. */
export function jobRecordHeaders(
  stored: Readonly<Record<string, string>> | undefined,
  facts: { readonly eventId: string; readonly tenantId: string; readonly platform: string; readonly jobId: string; readonly status: string },
): Record<string, string> {
  const parent = contextFromHeaders(stored);
  const submission = trace.getSpanContext(parent);
  const completing: Span | undefined = trace.getActiveSpan();
  if (submission && completing?.isRecording()) completing.addLink({ context: submission });
  const span = trace.getTracer(TRACER_NAME).startSpan(
    `job.record_completed ${facts.platform}`,
    {
      kind: SpanKind.INTERNAL,
      attributes: {
        [ATTR.platform]: facts.platform,
        [ATTR.tenantId]: facts.tenantId,
        [ATTR.eventId]: facts.eventId,
        [ATTR.deliveryId]: `${facts.eventId}:${facts.platform}`,
        [ATTR.jobId]: facts.jobId,
        [ATTR.outcome]: facts.status,
      },
      links: completing === undefined ? [] : [{ context: completing.spanContext() }],
    },
    parent,
  );
  span.end();
  const publishedAt = stored?.[PUBLISHED_AT_HEADER];
  return headersWithContext(publishedAt === undefined ? {} : { [PUBLISHED_AT_HEADER]: publishedAt }, trace.setSpan(parent, span));
}
