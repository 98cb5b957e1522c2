/**
 * Dead-letter messages. Headers say why and where from, in clear: a code, a short reason (never a
 * payload value), the stage, and the source topic, partition and offset. The original key and
 * bytes — which may hold personal data, since a message can fail before or instead of redaction —
 * travel sealed (AES-256-GCM, the source coordinates bound as associated data), so a DLQ never
 * carries raw PII yet every message stays redrivable with the key (`openDeadLetter`).
 */
import type { SecretBox } from '../crypto/secret-box.ts';
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
  keyId: 'impact-dlq-key-id',
} as const;

/** Headers of the source message that are carried over (trace context only). */
const CARRIED_HEADERS = ['traceparent', 'tracestate'];

type Source = Pick<InboundMessage, 'topic' | 'partition' | 'offset' | 'key' | 'value' | 'headers'>;

export interface DeadLetters {
  message(dlqTopic: string, stage: string, source: Source, error: ImpactError): OutboundMessage;
}

const associatedData = (topic: string, partition: string | number, offset: string) => `dlq:${topic}:${partition}:${offset}`;

export function createDeadLetters(box: SecretBox, now: () => Date = () => new Date()): DeadLetters {
  return {
    message(dlqTopic, stage, source, error) {
      const key = source.key ?? Buffer.alloc(0);
      const value = source.value ?? Buffer.alloc(0);
      // Layout before sealing: 4-byte key length (-1 for a null key), key, value; base64 to seal.
      const length = Buffer.alloc(4);
      length.writeInt32BE(source.key === null ? -1 : key.length);
      const sealed = box.seal(
        Buffer.concat([length, key, value]).toString('base64'),
        associatedData(source.topic, source.partition, source.offset),
      );
      const headers: Record<string, string> = {
        [DLQ_HEADERS.code]: error.code,
        [DLQ_HEADERS.reason]: error.message.slice(0, 400),
        [DLQ_HEADERS.stage]: stage,
        [DLQ_HEADERS.sourceTopic]: source.topic,
        [DLQ_HEADERS.sourcePartition]: String(source.partition),
        [DLQ_HEADERS.sourceOffset]: source.offset,
        [DLQ_HEADERS.failedAt]: now().toISOString(),
        [DLQ_HEADERS.keyId]: sealed.keyId,
      };
      for (const name of CARRIED_HEADERS) {
        const carried = source.headers[name];
        if (carried !== undefined) headers[name] = carried;
      }
      return {
        topic: dlqTopic,
        key: `${source.topic}:${source.partition}:${source.offset}`,
        value: sealed.sealed,
        headers,
      };
    },
  };
}

/** The original key and value of a dead letter (for inspection with the key, and redrive). */
export function openDeadLetter(box: SecretBox, message: { value: Buffer | null; headers: Headers }) {
  const h = message.headers;
  const topic = h[DLQ_HEADERS.sourceTopic];
  const partition = h[DLQ_HEADERS.sourcePartition];
  const offset = h[DLQ_HEADERS.sourceOffset];
  const keyId = h[DLQ_HEADERS.keyId];
  if (!topic || partition === undefined || !offset || !keyId || !message.value) {
    throw new Error('not an impact-in dead letter: source headers or value missing');
  }
  const plain = Buffer.from(
    box.open({ keyId, sealed: message.value }, associatedData(topic, partition, offset)),
    'base64',
  );
  const keyLength = plain.readInt32BE(0);
  const key = keyLength < 0 ? null : plain.subarray(4, 4 + keyLength);
  const value = plain.subarray(4 + Math.max(0, keyLength));
  return { topic, partition: Number(partition), offset, key, value };
}
