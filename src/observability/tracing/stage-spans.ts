/**
 * One span per stage and event, as interceptors around the stages' handlers (the stages know
 * nothing of tracing): each span is the child of the context the message carries and writes its
 * own context into what the stage hands on, so redact → route → deliver → relay form one trace.
 * With no SDK registered, @opentelemetry/api's no-op tracer makes all of this nearly free.
 */
import { context, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import { isImpactError } from '../../domain/errors.ts';
import type { BatchTransform, InboundMessage, MessageHandler, MessageSink, OutboundMessage } from '../../kafka/ports.ts';
import { ATTR, eventAttributes, type EventFacts } from './attributes.ts';
import { withEventContexts } from './event-contexts.ts';
import { contextFromHeaders, headersWithContext } from './propagation.ts';
import { PUBLISHED_AT, PUBLISHED_AT_HEADER } from '../latency/published-at.ts';

export const TRACER_NAME = 'impact-in';
const tracer = () => trace.getTracer(TRACER_NAME);

/** Reads the pseudonymous facts of a message's event (ids and kind), or null when it cannot. */
export type DescribeEvent = (message: InboundMessage) => Promise<EventFacts | null>;

const DLQ_CODE_HEADER = 'impact-dlq-code';

async function facts(describe: DescribeEvent | undefined, message: InboundMessage): Promise<EventFacts | null> {
  if (!describe) return null;
  return describe(message).catch(() => null);
}

export function recordError(span: Span, error: unknown): void {
  const code = isImpactError(error) ? error.code : 'unclassified';
  span.setAttribute(ATTR.errorCode, code);
  span.setAttribute(ATTR.errorType, code);
  if (isImpactError(error)) span.setAttribute(ATTR.retryable, error.retryable);
  // The message of an ImpactError is a short reason written by us; anything else may echo input.
  span.setStatus({ code: SpanStatusCode.ERROR, message: code });
}

function startStageSpan(stage: string, message: InboundMessage, event: EventFacts | null, platform?: string): Span {
  return tracer().startSpan(
    `${stage} ${message.topic}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.destination.name': message.topic,
        'messaging.destination.partition.id': String(message.partition),
        'messaging.kafka.offset': Number(message.offset),
        [ATTR.stage]: stage,
        ...eventAttributes(event, platform),
      },
    },
    contextFromHeaders(message.headers),
  );
}

/**
 * A transactional transform (redactor, router) with one span per input message. The inputs are
 * handed on with the span's context in their headers; the stages forward trace headers to what
 * they produce, so each output (and dead letter) is the child of its input's span.
 */
export function traceTransform(stage: string, transform: BatchTransform, describe?: DescribeEvent): BatchTransform {
  return async (messages, signal) => {
    const spans: Span[] = [];
    const traced: InboundMessage[] = [];
    for (const message of messages) {
      const span = startStageSpan(stage, message, await facts(describe, message));
      spans.push(span);
      traced.push({ ...message, headers: headersWithContext(message.headers, trace.setSpan(context.active(), span)) });
    }
    try {
      const output = await transform(traced, signal);
      const byParent = new Map<string, OutboundMessage[]>();
      for (const out of output) {
        const parent = out.headers?.traceparent;
        if (parent !== undefined) byParent.set(parent, [...(byParent.get(parent) ?? []), out]);
      }
      spans.forEach((span, i) => {
        const outs = byParent.get(traced[i]!.headers.traceparent ?? '') ?? [];
        const dead = outs.find((out) => out.headers?.[DLQ_CODE_HEADER] !== undefined);
        if (dead) {
          span.setAttribute(ATTR.outcome, 'dead_lettered');
          span.setAttribute(ATTR.errorCode, dead.headers![DLQ_CODE_HEADER]!);
        } else {
          span.setAttribute(ATTR.outcome, outs.length === 0 ? 'dropped' : 'forwarded');
          span.setAttribute('impactin.outputs', outs.length);
        }
      });
      return output;
    } catch (error) {
      for (const span of spans) recordError(span, error);
      throw error;
    } finally {
      for (const span of spans) span.end();
    }
  };
}

/** The event's context for what the stage writes: its span, and when the event was published (for the outbox row). */
function eventContextOf(message: InboundMessage, span: Span): Context {
  const ctx = trace.setSpan(contextFromHeaders(message.headers), span);
  const publishedAt = message.headers[PUBLISHED_AT_HEADER];
  return publishedAt === undefined ? ctx : ctx.setValue(PUBLISHED_AT, publishedAt);
}

async function runInSpan<T>(span: Span, ctx: Context, fn: () => Promise<T>): Promise<T> {
  try {
    const result = await context.with(ctx, fn);
    span.setAttribute(ATTR.outcome, 'handled');
    return result;
  } catch (error) {
    recordError(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** A per-message deliverer handler with one span per call: each retry in place, and each drain of a parked delivery, is its own span in the event's trace. */
export function traceHandler(stage: string, platform: string, handler: MessageHandler, describe?: DescribeEvent): MessageHandler {
  return async (message, signal, heartbeat) => {
    const event = await facts(describe, message);
    const span = startStageSpan(stage, message, event, platform);
    const ctx = eventContextOf(message, span);
    const entries: [string, Context][] = event ? [[`${event.eventId}:${platform}`, ctx]] : [];
    return runInSpan(span, ctx, () => withEventContexts(entries, () => handler(message, signal, heartbeat)));
  };
}

/**
 * A sink with one PRODUCER span per message: `publish` for new events (a trace starts here),
 * `relay` for outbox rows (the child of the context the row kept). Each message leaves with its
 * span's context in its headers.
 */
export function traceSink<S extends MessageSink>(stage: string, sink: S): S {
  return {
    ...sink,
    async send(messages: readonly OutboundMessage[]) {
      const spans: Span[] = [];
      const traced = messages.map((message) => {
        const parent = contextFromHeaders(message.headers);
        const span = tracer().startSpan(
          `${stage} ${message.topic}`,
          {
            kind: SpanKind.PRODUCER,
            attributes: {
              'messaging.system': 'kafka',
              'messaging.operation.type': 'send',
              'messaging.destination.name': message.topic,
              [ATTR.stage]: stage,
            },
          },
          trace.getSpanContext(parent) === undefined ? context.active() : parent,
        );
        spans.push(span);
        return { ...message, headers: headersWithContext(message.headers, trace.setSpan(parent, span)) };
      });
      try {
        await sink.send(traced);
        for (const span of spans) span.setAttribute(ATTR.outcome, 'sent');
      } catch (error) {
        for (const span of spans) recordError(span, error);
        throw error;
      } finally {
        for (const span of spans) span.end();
      }
    },
  };
}
