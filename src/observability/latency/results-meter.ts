/**
 * A sink interceptor for the outbox relay: counts each final result it publishes by platform,
 * status and error class, and observes the publish → result latency from the result's
 * `impact-published-at` header. Counted after the broker acknowledged; a relay that crashes
 * before marking rows published re-publishes (and re-counts) them — metrics are not the record.
 */
import type { AsyncCodec, Codec } from '../../codec/codec.ts';
import type { DeliveryResult } from '../../domain/delivery-result.ts';
import type { MessageSink, OutboundMessage } from '../../kafka/ports.ts';
import type { Metrics } from '../metrics.ts';
import { PUBLISHED_AT_HEADER } from './published-at.ts';

export interface ResultsMeterOptions {
  readonly resultsTopic: string;
  readonly codec: Codec<DeliveryResult> | AsyncCodec<DeliveryResult>;
  readonly metrics: Metrics;
  readonly now?: () => number;
}

export function meterResults<S extends MessageSink>(sink: S, options: ResultsMeterOptions): S {
  const now = options.now ?? Date.now;
  return {
    ...sink,
    async send(messages: readonly OutboundMessage[]) {
      await sink.send(messages);
      for (const message of messages) {
        if (message.topic !== options.resultsTopic) continue;
        const value = Buffer.isBuffer(message.value) ? message.value : Buffer.from(message.value);
        const result = await Promise.resolve()
          .then(() => options.codec.decode(value))
          .catch(() => null);
        if (!result) continue;
        options.metrics.results.inc({ platform: result.platform, status: result.status, error_class: result.errorClass ?? 'none' });
        const published = Number(message.headers?.[PUBLISHED_AT_HEADER]);
        if (Number.isFinite(published) && published > 0) {
          options.metrics.publishToResultSeconds.observe({ platform: result.platform }, Math.max(0, now() - published) / 1000);
        }
      }
    },
  };
}
