/** Tracing's surface for the wiring (src/service/*): interceptors around stages, sinks, connectors and callbacks. */
export { traceHandler, traceSink, traceTransform, type DescribeEvent } from './stage-spans.ts';
export { withTracing } from './traced-connector.ts';
export { traceCallback, jobRecordHeaders } from './callback-spans.ts';
export { describeWith } from './describe.ts';
export { outboxHeaders } from './outbox-context.ts';
