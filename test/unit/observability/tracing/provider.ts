/** An in-memory tracer provider registered globally for a test file (AsyncLocalStorage context, W3C propagation as in production). */
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { KeepExistingPropagator } from '../../../../src/observability/tracing/propagation.ts';

export function installProvider(): { exporter: InMemorySpanExporter; uninstall(): void } {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const manager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(manager);
  trace.setGlobalTracerProvider(provider);
  propagation.setGlobalPropagator(new KeepExistingPropagator(new W3CTraceContextPropagator()));
  return {
    exporter,
    uninstall() {
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

export const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
export const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
