/**
 * Trace context in Kafka headers (W3C `traceparent`/`tracestate`), over the header maps of our
 * Kafka ports (src/kafka/ports.ts). Each stage span injects its own context into the messages it
 * hands on, so the next stage's span is its child and one event is one trace.
 */
import {
  propagation,
  ROOT_CONTEXT,
  trace,
  type Context,
  type TextMapPropagator,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';

export const TRACE_HEADERS = ['traceparent', 'tracestate'] as const;

/** The context a message's headers carry, or the root context when they carry none. */
export function contextFromHeaders(headers: Readonly<Record<string, string>> | undefined): Context {
  return headers === undefined ? ROOT_CONTEXT : propagation.extract(ROOT_CONTEXT, headers);
}

/** The headers with `ctx`'s trace context written in (replacing any carried before). */
export function headersWithContext(headers: Readonly<Record<string, string>> | undefined, ctx: Context): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!(TRACE_HEADERS as readonly string[]).includes(name)) out[name] = value;
  }
  propagation.inject(ctx, out);
  return out;
}

/** Whether the headers already name a parent span. */
export function carriesTrace(headers: Readonly<Record<string, string>> | undefined): boolean {
  return trace.getSpanContext(contextFromHeaders(headers)) !== undefined;
}

/**
 * A propagator that never overwrites a trace context a message already carries. The kafkajs
 * instrumentation injects its `send` span into every produced message; in a batch (one
 * transaction for many events) that span's parent is the batch, not the event, so letting it
 * overwrite would merge the events' traces. Our stage spans have written the event's context
 * already; the `send` span links to it instead (sdk.ts).
 */
export class KeepExistingPropagator implements TextMapPropagator {
  readonly #inner: TextMapPropagator;
  constructor(inner: TextMapPropagator) {
    this.#inner = inner;
  }
  inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    if (carrier !== null && typeof carrier === 'object' && 'traceparent' in carrier) return;
    this.#inner.inject(ctx, carrier, setter);
  }
  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    return this.#inner.extract(ctx, carrier, getter);
  }
  fields(): string[] {
    return this.#inner.fields();
  }
}
