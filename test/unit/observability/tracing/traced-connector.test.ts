import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { context, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import type { BatchConnector, DeliveryRequest } from '../../../../src/connectors/connector.ts';
import { ImpactError } from '../../../../src/domain/errors.ts';
import { withTracing } from '../../../../src/observability/tracing/traced-connector.ts';
import { withEventContexts } from '../../../../src/observability/tracing/event-contexts.ts';
import { installProvider, TRACE_ID, TRACEPARENT } from './provider.ts';

const tracing = installProvider();
afterAll(() => tracing.uninstall());
beforeEach(() => tracing.exporter.reset());

const request = (eventId: string) => ({ event: { eventId, tenantId: 'acme', kind: 'donation' }, idempotencyKey: 'k' }) as unknown as DeliveryRequest;
const eventCtx = (traceparent: string) => propagation.extract(ROOT_CONTEXT, { traceparent });

function connector(): BatchConnector & { extra(): string } {
  return {
    platform: 'goodera',
    maxBatch: 100,
    deliver: async () => ({ status: 'delivered', externalRef: 'x1' }),
    lookup: async () => {
      throw new ImpactError('OUTCOME_UNKNOWN', 'timed out');
    },
    deliverBatch: async (requests) =>
      requests.map((_, i) => (i === 0 ? { status: 'rejected' as const, errorClass: 'PLATFORM_REJECTED', reason: 'no' } : new ImpactError('PII_BLOCKED', 'gate'))),
    extra: () => 'kept',
  };
}

describe('withTracing', () => {
  it('makes each attempt and lookup a CLIENT span in the event’s trace, with platform, tenant, delivery id and outcome', async () => {
    const traced = withTracing(connector());
    expect(traced.extra()).toBe('kept');
    await context.with(eventCtx(TRACEPARENT), async () => {
      await traced.deliver(request('e1'));
      await expect(traced.lookup(request('e1'))).rejects.toMatchObject({ code: 'OUTCOME_UNKNOWN' });
    });
    const [attempt, lookup] = tracing.exporter.getFinishedSpans();
    expect(attempt!.name).toBe('deliver.attempt goodera');
    expect(attempt!.spanContext().traceId).toBe(TRACE_ID);
    expect(attempt!.attributes).toMatchObject({ platform: 'goodera', tenant_id: 'acme', delivery_id: 'e1:goodera', outcome: 'delivered' });
    expect(lookup!.attributes).toMatchObject({ outcome: 'unknown', 'error.code': 'OUTCOME_UNKNOWN', 'impactin.error.retryable': true });
  });

  it('puts each record of a batch in its own event’s trace, with its own outcome', async () => {
    const other = '00-55555555555555555555555555555555-6666666666666666-01';
    await withEventContexts(
      [
        ['e1:goodera', eventCtx(TRACEPARENT)],
        ['e1:benevity', eventCtx('00-77777777777777777777777777777777-6666666666666666-01')],
        ['e2:goodera', eventCtx(other)],
      ],
      () => withTracing(connector()).deliverBatch([request('e1'), request('e2')]),
    );
    const spans = tracing.exporter.getFinishedSpans();
    const byEvent = new Map(spans.map((s) => [s.attributes['impactin.event_id'], s]));
    expect(byEvent.get('e1')!.spanContext().traceId).toBe(TRACE_ID);
    expect(byEvent.get('e1')!.attributes).toMatchObject({ outcome: 'rejected', 'error.code': 'PLATFORM_REJECTED', 'impactin.batch.size': 2 });
    expect(byEvent.get('e2')!.spanContext().traceId).toBe('55555555555555555555555555555555');
    expect(byEvent.get('e2')!.attributes['error.code']).toBe('PII_BLOCKED');
    expect(trace.getActiveSpan()).toBeUndefined();
  });
});
