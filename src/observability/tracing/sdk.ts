/**
 * The OpenTelemetry Node SDK, configured by the standard OTEL_* variables (exporter, endpoint,
 * sampler, service name, resource attributes) and loaded only when tracing is on (bootstrap.ts).
 * The official instrumentations add kafkajs, undici (every platform request), pg and ioredis spans
 * under impact-in's stage spans (stage-spans.ts, traced-connector.ts).
 */
import { trace, type Span } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { safeMessageKey } from './attributes.ts';
import { contextFromHeaders, KeepExistingPropagator } from './propagation.ts';

type KafkaMessage = { key?: unknown; headers?: Record<string, unknown> };

const KEY_ATTRIBUTE = 'messaging.kafka.message.key';

/** The input topic's key holds the raw employee id: the instrumentation's key attribute is replaced unless the topic's keys are pseudonymous. */
function scrubKey(span: Span, topic: string, message: KafkaMessage): void {
  const key = message.key === undefined || message.key === null ? undefined : String(message.key);
  if (key !== undefined) span.setAttribute(KEY_ATTRIBUTE, safeMessageKey(topic, key));
}

function textHeaders(headers: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string' || Buffer.isBuffer(first)) out[name] = first.toString();
  }
  return out;
}

export interface TracingSdk {
  shutdown(): Promise<void>;
}

export function startSdk(): TracingSdk {
  // impact-in exports traces only: metrics are Prometheus' (/metrics), logs are pino's JSON lines.
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  const sdk = new NodeSDK({
    textMapPropagator: new KeepExistingPropagator(
      new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
    ),
    instrumentations: [
      new KafkaJsInstrumentation({
        // The send span belongs to the batch that produced the message (one transaction holds many
        // events); it links to the event's trace, whose context the message keeps (KeepExistingPropagator).
        producerHook: (span, { topic, message }) => {
          scrubKey(span, topic, message);
          const event = trace.getSpanContext(contextFromHeaders(textHeaders(message.headers as Record<string, unknown>)));
          if (event && event.spanId !== span.spanContext().spanId) span.addLink({ context: event });
        },
        consumerHook: (span, { topic, message }) => scrubKey(span, topic, message),
      }),
      new UndiciInstrumentation(),
      new PgInstrumentation({ enhancedDatabaseReporting: false }),
      new IORedisInstrumentation(),
    ],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
