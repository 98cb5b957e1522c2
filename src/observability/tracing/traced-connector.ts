/**
 * A connector whose every platform call — each delivery attempt, batch send and reconciling
 * lookup — is a CLIENT span in its event's trace (the undici instrumentation's HTTP span is its
 * child). Composes like the breaker (src/breaker/breaker-connector.ts): the connector knows
 * nothing of tracing. Put it outside the breaker, so an attempt refused by an open breaker is a
 * span too (error.code CIRCUIT_OPEN).
 */
import { context, SpanKind, trace, type Context, type Span } from '@opentelemetry/api';
import type { BatchConnector, Connector, DeliveryOutcome, DeliveryRequest } from '../../connectors/connector.ts';
import { isBatchConnector } from '../../connectors/connector.ts';
import { isImpactError } from '../../domain/errors.ts';
import { ATTR, eventAttributes } from './attributes.ts';
import { eventContext } from './event-contexts.ts';
import { recordError, TRACER_NAME } from './stage-spans.ts';

function startCall(name: string, platform: string, request: DeliveryRequest): { span: Span; ctx: Context } {
  const parent = eventContext(`${request.event.eventId}:${platform}`) ?? context.active();
  const span = trace.getTracer(TRACER_NAME).startSpan(
    `${name} ${platform}`,
    {
      kind: SpanKind.CLIENT,
      attributes: eventAttributes({ eventId: request.event.eventId, tenantId: request.event.tenantId, kind: request.event.kind }, platform),
    },
    parent,
  );
  return { span, ctx: trace.setSpan(parent, span) };
}

function setOutcome(span: Span, outcome: DeliveryOutcome): void {
  span.setAttribute(ATTR.outcome, outcome.status);
  if (outcome.status === 'rejected') span.setAttribute(ATTR.errorCode, outcome.errorClass);
  if (outcome.status === 'submitted') span.setAttribute(ATTR.jobId, outcome.jobId);
}

async function traced<T>(span: Span, ctx: Context, call: () => Promise<T>, onResult: (result: T) => void): Promise<T> {
  try {
    const result = await context.with(ctx, call);
    onResult(result);
    return result;
  } catch (error) {
    recordError(span, error);
    span.setAttribute(ATTR.outcome, isImpactError(error) && error.code === 'OUTCOME_UNKNOWN' ? 'unknown' : 'error');
    throw error;
  } finally {
    span.end();
  }
}

export function withTracing<C extends Connector>(connector: C): C {
  const platform = connector.platform;
  const wrapped: Connector & Partial<Pick<BatchConnector, 'deliverBatch'>> = {
    ...connector,
    deliver(request) {
      const { span, ctx } = startCall('deliver.attempt', platform, request);
      return traced(span, ctx, () => connector.deliver(request), (outcome) => setOutcome(span, outcome));
    },
    lookup(request) {
      const { span, ctx } = startCall('deliver.lookup', platform, request);
      return traced(span, ctx, () => connector.lookup(request), (found) => {
        span.setAttribute(ATTR.found, found !== null);
        span.setAttribute(ATTR.outcome, found === null ? 'not_found' : 'found');
      });
    },
  };
  if (isBatchConnector(connector)) {
    wrapped.deliverBatch = async (requests) => {
      // One span per record, each in its own event's trace; the one HTTP request runs under the first.
      const calls = requests.map((request) => startCall('deliver.attempt', platform, request));
      for (const { span } of calls) span.setAttribute(ATTR.batchSize, requests.length);
      const [head, ...rest] = calls;
      if (!head) return connector.deliverBatch(requests);
      try {
        return await traced(head.span, head.ctx, () => connector.deliverBatch(requests), (results) => {
          results.forEach((result, i) => {
            const span = calls[i]!.span;
            if (isImpactError(result)) recordError(span, result);
            else setOutcome(span, result);
          });
        });
      } catch (error) {
        for (const { span } of rest) {
          recordError(span, error);
          span.setAttribute(ATTR.outcome, isImpactError(error) && error.code === 'OUTCOME_UNKNOWN' ? 'unknown' : 'error');
        }
        throw error;
      } finally {
        for (const { span } of rest) span.end();
      }
    };
  }
  return wrapped as C;
}
