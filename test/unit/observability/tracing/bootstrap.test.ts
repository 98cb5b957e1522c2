import { describe, expect, it } from 'vitest';
import { tracingEnabled } from '../../../../src/observability/tracing/bootstrap.ts';
import { safeMessageKey } from '../../../../src/observability/tracing/attributes.ts';
import { KeepExistingPropagator } from '../../../../src/observability/tracing/propagation.ts';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { defaultTextMapSetter, defaultTextMapGetter, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { TRACEPARENT } from './provider.ts';

describe('tracingEnabled', () => {
  it('is off unless an OTLP endpoint or a traces exporter is configured, and off when disabled', () => {
    expect(tracingEnabled({})).toBe(false);
    expect(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toBe(true);
    expect(tracingEnabled({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' })).toBe(true);
    expect(tracingEnabled({ OTEL_TRACES_EXPORTER: 'console' })).toBe(true);
    expect(tracingEnabled({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toBe(false);
    expect(tracingEnabled({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toBe(false);
  });

  it('names the variable that is malformed', () => {
    expect(() => tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
  });
});

describe('safeMessageKey', () => {
  it('keeps pseudonymous keys and hides the input topic’s raw subject key', () => {
    expect(safeMessageKey('p.impact.events.v1', 'acme:E12345')).toBe('[redacted]');
    expect(safeMessageKey('p.impact.events.dlq.v1', 'x')).toBe('[redacted]');
    expect(safeMessageKey('p.impact.events.redacted.v1', 'acme:ps_1')).toBe('acme:ps_1');
    expect(safeMessageKey('p.impact.deliver.goodera.v1', 'acme:ps_1')).toBe('acme:ps_1');
    expect(safeMessageKey('p.impact.delivery-results.v1', 'e1:goodera')).toBe('e1:goodera');
  });
});

describe('KeepExistingPropagator', () => {
  it('never overwrites a trace context a message carries, and injects one where none is', () => {
    const propagator = new KeepExistingPropagator(new W3CTraceContextPropagator());
    const ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: 1 });
    const carried: Record<string, string> = { traceparent: TRACEPARENT };
    propagator.inject(ctx, carried, defaultTextMapSetter);
    expect(carried.traceparent).toBe(TRACEPARENT);
    const fresh: Record<string, string> = {};
    propagator.inject(ctx, fresh, defaultTextMapSetter);
    expect(fresh.traceparent).toBe(`00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`);
    expect(trace.getSpanContext(propagator.extract(ROOT_CONTEXT, carried, defaultTextMapGetter))?.spanId).toBe('b7ad6b7169203331');
  });
});
