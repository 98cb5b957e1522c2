import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import type { InboundMessage, OutboundMessage } from '../../../../src/kafka/ports.ts';
import { traceSink, traceTransform, traceHandler } from '../../../../src/observability/tracing/stage-spans.ts';
import { eventContext } from '../../../../src/observability/tracing/event-contexts.ts';
import { outboxHeaders } from '../../../../src/observability/tracing/outbox-context.ts';
import { installProvider, TRACE_ID, TRACEPARENT } from './provider.ts';

const tracing = installProvider();
afterAll(() => tracing.uninstall());
beforeEach(() => tracing.exporter.reset());

function inbound(offset: number, headers: Record<string, string> = { traceparent: TRACEPARENT }): InboundMessage {
  return { topic: 't.impact.events.v1', partition: 0, offset: String(offset), key: null, value: Buffer.from('{}'), headers, timestamp: '0' };
}

const describeFixed = async (m: InboundMessage) => ({ eventId: `e${m.offset}`, tenantId: 'acme', kind: 'donation' });

describe('traceTransform', () => {
  it('gives each input a span in its own trace and hands each output on as that span’s child', async () => {
    const other = '00-11111111111111111111111111111111-2222222222222222-01';
    const transform = traceTransform(
      'redactor',
      async (messages): Promise<OutboundMessage[]> =>
        messages.map((m, i): OutboundMessage =>
          i === 1
            ? { topic: 't.dlq', key: null, value: 'x', headers: { traceparent: m.headers.traceparent!, 'impact-dlq-code': 'VALIDATION_FAILED' } }
            : { topic: 't.out', key: 'k', value: 'v', headers: { traceparent: m.headers.traceparent! } },
        ),
      describeFixed,
    );
    const output = await transform([inbound(1), inbound(2, { traceparent: other })], new AbortController().signal);
    const spans = tracing.exporter.getFinishedSpans();
    expect(spans).toHaveLength(2);
    const [first, second] = spans;
    expect(first!.spanContext().traceId).toBe(TRACE_ID);
    expect(first!.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(second!.spanContext().traceId).toBe('11111111111111111111111111111111');
    expect(first!.attributes).toMatchObject({ outcome: 'forwarded', tenant_id: 'acme', 'impactin.event_id': 'e1', 'impactin.stage': 'redactor' });
    expect(second!.attributes).toMatchObject({ outcome: 'dead_lettered', 'error.code': 'VALIDATION_FAILED' });
    const parentOf = (headers: Record<string, string> | undefined) => trace.getSpanContext(propagation.extract(ROOT_CONTEXT, headers ?? {}));
    expect(parentOf(output[0]!.headers)?.spanId).toBe(first!.spanContext().spanId);
    expect(parentOf(output[1]!.headers)?.spanId).toBe(second!.spanContext().spanId);
  });

  it('marks every span with the error code when the transform fails', async () => {
    const { ImpactError } = await import('../../../../src/domain/errors.ts');
    const transform = traceTransform('router', async () => {
      throw new ImpactError('DEPENDENCY_UNAVAILABLE', 'registry down');
    });
    await expect(transform([inbound(1)], new AbortController().signal)).rejects.toThrow('registry down');
    const [span] = tracing.exporter.getFinishedSpans();
    expect(span!.attributes['error.code']).toBe('DEPENDENCY_UNAVAILABLE');
    expect(span!.status).toEqual({ code: 2, message: 'DEPENDENCY_UNAVAILABLE' });
  });
});

describe('traceHandler', () => {
  it('run the handler inside a span in the event’s trace, registered by event id', async () => {
    let seen: string | undefined;
    const handler = traceHandler('deliver.benevity', 'benevity', async () => {
      seen = trace.getActiveSpan()?.spanContext().traceId;
      expect(eventContext('e7:benevity')).toBeDefined();
      expect(eventContext('e7:goodera')).toBeUndefined();
    }, describeFixed);
    await handler(inbound(7), new AbortController().signal);
    expect(seen).toBe(TRACE_ID);
    expect(eventContext('e7:benevity')).toBeUndefined();
    const [span] = tracing.exporter.getFinishedSpans();
    expect(span!.attributes).toMatchObject({ platform: 'benevity', delivery_id: 'e7:benevity', outcome: 'handled' });
  });
});

describe('outboxHeaders', () => {
  it('keeps a carried context, else takes the event’s registered span, else the active one, else none', async () => {
    expect(outboxHeaders({ topic: 'r', key: 'e1:goodera', value: 'v', headers: { traceparent: TRACEPARENT } }).traceparent).toBe(TRACEPARENT);
    expect(outboxHeaders({ topic: 'r', key: 'e1:goodera', value: 'v' })).toEqual({});
    let carried: string | undefined;
    const handler = traceHandler('deliver.goodera', 'goodera', async () => {
      carried = outboxHeaders({ topic: 'r', key: 'e2:goodera', value: 'v' }).traceparent;
    }, describeFixed);
    await handler(inbound(2, { traceparent: '00-33333333333333333333333333333333-4444444444444444-01' }), new AbortController().signal);
    expect(carried?.split('-')[1]).toBe('33333333333333333333333333333333');
  });
});

describe('traceSink', () => {
  it('starts a trace for a new message and continues the carried one, keeping the sink’s other members', async () => {
    const sent: Record<string, string>[] = [];
    const sink = traceSink('publish', {
      send: async (messages: readonly OutboundMessage[]) => {
        for (const m of messages) sent.push({ ...m.headers });
      },
      extra: () => 'kept',
    });
    await sink.send([
      { topic: 'a', key: null, value: 'v' },
      { topic: 'b', key: null, value: 'v', headers: { traceparent: TRACEPARENT } },
    ]);
    expect(sink.extra()).toBe('kept');
    const [fresh, carried] = tracing.exporter.getFinishedSpans();
    expect(fresh!.parentSpanContext).toBeUndefined();
    expect(carried!.spanContext().traceId).toBe(TRACE_ID);
    expect(sent[0]!.traceparent).toContain(fresh!.spanContext().spanId);
    expect(sent[1]!.traceparent).toContain(carried!.spanContext().spanId);
  });
});
