/**
 * Tracing for a trace scenario: its own Jaeger, this test process registered as the publishing
 * service (its publish span starts each event's trace, exported to Jaeger and kept in memory),
 * the environment that makes a spawned service export there, and reading a trace back.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { KeepExistingPropagator } from '../../../src/observability/tracing/propagation.ts';
import { startJaeger, type JaegerProcess, type JaegerSpan } from './jaeger-process.ts';

export interface TraceScenario {
  readonly jaeger: JaegerProcess;
  /** The spans this process finished (its publish spans). */
  readonly published: InMemorySpanExporter;
  /** What a spawned service needs to export its spans to this scenario's Jaeger. */
  readonly serviceEnv: Record<string, string>;
  /** The trace id of the publish span of the `n`-th event this process published (0-based). */
  publishedTrace(n?: number): string;
  close(): Promise<void>;
}

export async function startTraceScenario(): Promise<TraceScenario> {
  const jaeger = await startJaeger();
  const published = new InMemorySpanExporter();
  // This process publishes, as a domain service would: its publish span starts the event's trace.
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'impact-in-publisher' }),
    spanProcessors: [
      new SimpleSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${jaeger.otlpUrl}/v1/traces` }) }),
      new SimpleSpanProcessor({ exporter: published }),
    ],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  propagation.setGlobalPropagator(new KeepExistingPropagator(new W3CTraceContextPropagator()));
  return {
    jaeger,
    published,
    serviceEnv: { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpUrl, OTEL_SERVICE_NAME: 'impact-in', OTEL_BSP_SCHEDULE_DELAY: '100' },
    publishedTrace(n = 0) {
      const span = published.getFinishedSpans().filter((s) => s.name.startsWith('publish '))[n];
      if (!span) throw new Error(`no publish span #${n} in this process`);
      return span.spanContext().traceId;
    },
    async close() {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
      await jaeger.stop();
    },
  };
}

/** A span's attribute (tag) value. */
export const tag = (span: JaegerSpan, key: string): unknown => span.tags.find((t) => t.key === key)?.value;

/** A span's tags as one object. */
export const tagsOf = (span: JaegerSpan): Record<string, unknown> => Object.fromEntries(span.tags.map((t) => [t.key, t.value]));

/**
 * The spans of a trace once `complete` says they are all there (spans reach Jaeger in batches), or
 * what Jaeger has after `timeoutMs` — the assertions that follow then say what is missing.
 */
export async function readTrace(jaeger: JaegerProcess, traceId: string, complete: (spans: JaegerSpan[]) => boolean, timeoutMs = 30_000): Promise<JaegerSpan[]> {
  let spans: JaegerSpan[] = [];
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(250)) {
    spans = await jaeger.trace(traceId);
    if (complete(spans)) break;
  }
  return spans;
}

/** Whether every operation name in `expected` is among the spans'. */
export const hasOperations = (spans: readonly JaegerSpan[], expected: readonly string[]): boolean =>
  expected.every((op) => spans.some((s) => s.operationName === op));

/** The span's CHILD_OF parent among `spans`, and the spans without one (the trace's roots). */
export function parentage(spans: readonly JaegerSpan[]): { parentOf: (span: JaegerSpan) => JaegerSpan | undefined; roots: JaegerSpan[] } {
  const byId = new Map(spans.map((s) => [s.spanID, s]));
  return {
    parentOf: (span) => byId.get(span.references.find((r) => r.refType === 'CHILD_OF')?.spanID ?? ''),
    roots: spans.filter((s) => !s.references.some((r) => r.refType === 'CHILD_OF')),
  };
}

/**
 * Benevity's import completion in an event's trace and the span it links to: the signed callback's
 * request, which is a trace of its own (undefined when Jaeger does not have it).
 */
export async function benevityCallbackOf(
  jaeger: JaegerProcess,
  spans: readonly JaegerSpan[],
): Promise<{ link: JaegerSpan['references'][number]; callback: JaegerSpan | undefined }> {
  const completed = spans.find((s) => s.operationName === 'job.record_completed benevity');
  const link = completed?.references.find((r) => r.refType === 'FOLLOWS_FROM');
  if (!link) throw new Error('no Benevity completion span linked to a callback in the trace');
  return { link, callback: (await jaeger.trace(link.traceID)).find((s) => s.spanID === link.spanID) };
}
