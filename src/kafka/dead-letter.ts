/**
 * Dead-letter messages: the original key and bytes, untouched, plus headers that say why and
 * where from. Reasons are codes and short texts — never payload values.
 */
import type { ImpactError } from '../domain/errors.ts';
import type { Headers, InboundMessage, OutboundMessage } from './ports.ts';

export const DLQ_HEADERS = {
  code: 'impact-dlq-code',
  reason: 'impact-dlq-reason',
  stage: 'impact-dlq-stage',
  sourceTopic: 'impact-dlq-source-topic',
  sourcePartition: 'impact-dlq-source-partition',
  sourceOffset: 'impact-dlq-source-offset',
  failedAt: 'impact-dlq-failed-at',
} as const;

export function deadLetterMessage(
  dlqTopic: string,
  stage: string,
  source: Pick<InboundMessage, 'topic' | 'partition' | 'offset' | 'key' | 'value' | 'headers'>,
  error: ImpactError,
  now: Date,
): OutboundMessage {
  const headers: Headers = {
    ...source.headers,
    [DLQ_HEADERS.code]: error.code,
    [DLQ_HEADERS.reason]: error.message.slice(0, 400),
    [DLQ_HEADERS.stage]: stage,
    [DLQ_HEADERS.sourceTopic]: source.topic,
    [DLQ_HEADERS.sourcePartition]: String(source.partition),
    [DLQ_HEADERS.sourceOffset]: source.offset,
    [DLQ_HEADERS.failedAt]: now.toISOString(),
  };
  return { topic: dlqTopic, key: source.key, value: source.value ?? Buffer.alloc(0), headers };
}
