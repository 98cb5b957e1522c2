/**
 * Redaction stage: impact.events.v1 → impact.events.redacted.v1. Decodes and validates each
 * event; an event that fails goes to the events dead-letter topic with its reason and source
 * coordinates, and the stage goes on. The output is keyed by (tenant, pseudonym) so per-subject
 * order holds downstream without the raw employee id in any key.
 */
import type { Codec } from '../codec/codec.ts';
import type { ImpactEvent } from '../domain/event.ts';
import { orderingKey } from '../domain/event.ts';
import { isImpactError } from '../domain/errors.ts';
import type { RedactedEvent } from '../domain/redacted-event.ts';
import { deadLetterMessage } from '../kafka/dead-letter.ts';
import type { MessageHandler, MessageSink } from '../kafka/ports.ts';
import type { Topics } from '../kafka/topics.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { Pseudonymizer } from '../redaction/pseudonym.ts';
import { redactEvent } from '../redaction/redact.ts';

export interface RedactorDeps {
  readonly topics: Topics;
  readonly sink: MessageSink;
  readonly inputCodec: Codec<ImpactEvent>;
  readonly outputCodec: Codec<RedactedEvent>;
  readonly pseudonymizer: Pseudonymizer;
  readonly metrics: Metrics;
  readonly now?: () => Date;
}

export const REDACTOR_STAGE = 'redactor';

export function createRedactorHandler(deps: RedactorDeps): MessageHandler {
  const now = deps.now ?? (() => new Date());
  return async (message) => {
    let event: ImpactEvent;
    try {
      event = deps.inputCodec.decode(message.value);
    } catch (error) {
      if (!isImpactError(error)) throw error;
      await deps.sink.send([deadLetterMessage(deps.topics.eventsDlq, REDACTOR_STAGE, message, error, now())]);
      deps.metrics.deadLetters.inc({ stage: REDACTOR_STAGE, code: error.code });
      deps.metrics.messagesHandled.inc({ stage: REDACTOR_STAGE });
      return;
    }
    const redacted = redactEvent(event, deps.pseudonymizer, now());
    await deps.sink.send([
      {
        topic: deps.topics.redacted,
        key: orderingKey(redacted),
        value: deps.outputCodec.encode(redacted),
        headers: passThroughHeaders(message.headers),
      },
    ]);
    deps.metrics.messagesHandled.inc({ stage: REDACTOR_STAGE });
  };
}

/** Trace context travels on; nothing else from the input headers is trusted downstream. */
export function passThroughHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of ['traceparent', 'tracestate']) {
    const value = headers[name];
    if (value !== undefined) kept[name] = value;
  }
  return kept;
}
