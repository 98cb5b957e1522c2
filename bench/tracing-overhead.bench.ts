/**
 * CPU per delivery that tracing adds, on the delivery path's traced pieces: the deliverer stage
 * span (traceHandler, reading the event's ids with the JSON codec), the attempt span of the traced
 * connector (a connector that answers at once), and the outbox row's trace headers — with tracing
 * off (@opentelemetry/api's no-op tracer, as when no OTEL_* variable is set) and on (the SDK's
 * tracer provider, W3C propagation, a BatchSpanProcessor exporting OTLP/protobuf over HTTP to a
 * local receiver that accepts and drops). Rounds alternate off/on; the figure is the median.
 *
 *   node bench/tracing-overhead.bench.ts [--deliveries 20000] [--rounds 5]
 *
 * This measures our own spans and their export; the official instrumentations (kafkajs, undici,
 * pg, ioredis) add a few spans more per delivery on the real path.
 */
import { createServer } from 'node:http';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { Connector, DeliveryRequest } from '../src/connectors/connector.ts';
import type { InboundMessage } from '../src/kafka/ports.ts';
import { outboxHeaders } from '../src/observability/tracing/outbox-context.ts';
import { KeepExistingPropagator } from '../src/observability/tracing/propagation.ts';
import { traceHandler } from '../src/observability/tracing/stage-spans.ts';
import { withTracing } from '../src/observability/tracing/traced-connector.ts';

const { values } = parseArgs({ options: { deliveries: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '5' } } });
const N = Number(values.deliveries);
const ROUNDS = Number(values.rounds);

const receiver = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
}).listen(0, '127.0.0.1');
await once(receiver, 'listening');
const port = (receiver.address() as { port: number }).port;

const connector: Connector = {
  platform: 'goodera',
  deliver: async () => ({ status: 'delivered', externalRef: 'x' }),
  lookup: async () => null,
};
const traced = withTracing(connector);
const handler = traceHandler(
  'deliver.goodera',
  'goodera',
  async (message) => {
    const event = JSON.parse(message.value!.toString()) as { eventId: string };
    await traced.deliver({ event, idempotencyKey: 'k' } as unknown as DeliveryRequest);
    outboxHeaders({ topic: 'results', key: `${event.eventId}:goodera`, value: 'v' });
  },
  async (message) => {
    const event = JSON.parse(message.value!.toString()) as { eventId: string; tenantId: string; kind: string };
    return { eventId: event.eventId, tenantId: event.tenantId, kind: event.kind };
  },
);
const messages: InboundMessage[] = Array.from({ length: N }, (_, i) => ({
  topic: 'p.impact.deliver.goodera.v1',
  partition: 0,
  offset: String(i),
  key: null,
  value: Buffer.from(JSON.stringify({ eventId: `e${i}`, tenantId: 'acme', kind: 'donation' })),
  headers: { traceparent: `00-${i.toString(16).padStart(32, '0')}-00f067aa0ba902b7-01`, 'impact-published-at': '1' },
  timestamp: '0',
}));
const signal = new AbortController().signal;

async function round(): Promise<number> {
  const before = process.cpuUsage();
  for (const message of messages) await handler(message, signal);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / N;
}

function enable(): TracerProvider {
  const provider = new TracerProvider({
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `http://127.0.0.1:${port}/v1/traces`, concurrencyLimit: 1_000 }), maxQueueSize: 65_536, maxExportBatchSize: 512 })],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new KeepExistingPropagator(new W3CTraceContextPropagator()));
  trace.setGlobalTracerProvider(provider);
  return provider;
}

const off: number[] = [];
const on: number[] = [];
await round(); // warm-up (JIT)
for (let r = 0; r < ROUNDS; r++) {
  off.push(await round());
  const provider = enable();
  const before = process.cpuUsage();
  for (const message of messages) await handler(message, signal);
  await provider.forceFlush(); // the export's CPU belongs to the deliveries that made the spans
  const used = process.cpuUsage(before);
  on.push((used.user + used.system) / N);
  await provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`tracing overhead, ${N} deliveries × ${ROUNDS} rounds (median CPU per delivery, this process):`);
console.log(`  tracing off: ${median(off).toFixed(1)} µs`);
console.log(`  tracing on:  ${median(on).toFixed(1)} µs  (2 spans per delivery, exported as OTLP/protobuf)`);
console.log(`  added:       ${(median(on) - median(off)).toFixed(1)} µs per delivery`);
receiver.close();
