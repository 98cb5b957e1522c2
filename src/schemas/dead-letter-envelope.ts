/**
 * The dead-letter envelope as one record: what a *.dlq.v1 message says in its impact-dlq-*
 * headers, plus its sealed value. The zod schema here and schemas/dead-letter/v*.avsc are tested
 * to agree; `deadLetterEnvelope` reads a dead letter as written by src/kafka/dead-letter.ts.
 */
import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from '../domain/errors.ts';
import { DLQ_HEADERS } from '../kafka/dead-letter.ts';
import type { Headers } from '../kafka/ports.ts';

const codes = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];

export const deadLetterEnvelopeSchema = z.strictObject({
  code: z.enum(codes),
  reason: z.string().max(400),
  stage: z.string().min(1),
  sourceTopic: z.string().min(1),
  sourcePartition: z.number().int().min(0),
  sourceOffset: z.string().regex(/^\d+$/),
  failedAt: z.iso.datetime({ offset: true }),
  keyId: z.string().min(1),
  /** The sealed original (IV, tag, ciphertext of key and value), base64. */
  sealed: z.base64().min(1),
  traceparent: z.string().optional(),
  tracestate: z.string().optional(),
});

export type DeadLetterEnvelope = z.infer<typeof deadLetterEnvelopeSchema>;

/** The envelope of a dead-letter message (headers + sealed value); throws a zod error if it is not one. */
export function deadLetterEnvelope(message: { value: Buffer | null; headers: Headers }): DeadLetterEnvelope {
  const h = message.headers;
  const partition = h[DLQ_HEADERS.sourcePartition];
  return deadLetterEnvelopeSchema.parse({
    code: h[DLQ_HEADERS.code],
    reason: h[DLQ_HEADERS.reason],
    stage: h[DLQ_HEADERS.stage],
    sourceTopic: h[DLQ_HEADERS.sourceTopic],
    sourcePartition: partition === undefined ? undefined : Number(partition),
    sourceOffset: h[DLQ_HEADERS.sourceOffset],
    failedAt: h[DLQ_HEADERS.failedAt],
    keyId: h[DLQ_HEADERS.keyId],
    sealed: message.value?.toString('base64'),
    ...(h.traceparent === undefined ? {} : { traceparent: h.traceparent }),
    ...(h.tracestate === undefined ? {} : { tracestate: h.tracestate }),
  });
}
