import { afterAll, describe, expect, it } from 'vitest';
import { trace } from '@opentelemetry/api';
import { traceFields } from '../../../src/observability/logger.ts';
import { installProvider } from './tracing/provider.ts';

const tracing = installProvider();
afterAll(() => tracing.uninstall());

describe('log lines inside a span', () => {
  it('carry trace_id and span_id; outside a span, nothing', () => {
    expect(traceFields()).toEqual({});
    trace.getTracer('t').startActiveSpan('s', (span) => {
      expect(traceFields()).toEqual({ trace_id: span.spanContext().traceId, span_id: span.spanContext().spanId });
      span.end();
    });
  });
});
