import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import type { DeliveryResult } from '../../../../src/domain/delivery-result.ts';
import type { InboundMessage, OutboundMessage } from '../../../../src/kafka/ports.ts';
import { createMetrics } from '../../../../src/observability/metrics.ts';
import { stampPublishedAt } from '../../../../src/observability/latency/published-at.ts';
import { meterResults } from '../../../../src/observability/latency/results-meter.ts';
import { passThroughHeaders } from '../../../../src/consumers/redactor.consumer.ts';

const inbound = (headers: Record<string, string>, timestamp = '1764547200000'): InboundMessage => ({
  topic: 'events',
  partition: 0,
  offset: '0',
  key: null,
  value: Buffer.from('x'),
  headers,
  timestamp,
});

describe('stampPublishedAt', () => {
  it('stamps each input with its Kafka timestamp, keeps a stamp it carries, and the stages forward it', async () => {
    let seen: Record<string, string>[] = [];
    const transform = stampPublishedAt(async (messages) => {
      seen = messages.map((m) => passThroughHeaders(m.headers));
      return [];
    });
    await transform([inbound({ other: 'x' }), inbound({ 'impact-published-at': '5' })], new AbortController().signal);
    expect(seen).toEqual([{ 'impact-published-at': '1764547200000' }, { 'impact-published-at': '5' }]);
  });
});

describe('meterResults', () => {
  it('counts results by platform, status and error class and observes publish → result latency, after the send', async () => {
    const metrics = createMetrics(new Registry(), { defaultMetrics: false });
    const sent: OutboundMessage[] = [];
    const results: Record<string, Partial<DeliveryResult>> = {
      a: { platform: 'goodera', status: 'delivered', errorClass: null },
      b: { platform: 'workday', status: 'rejected', errorClass: 'PLATFORM_REJECTED' },
    };
    const sink = meterResults(
      { send: async (messages: readonly OutboundMessage[]) => void sent.push(...messages) },
      {
        resultsTopic: 'results',
        codec: { decode: (bytes) => results[bytes!.toString()] as DeliveryResult, encode: () => Buffer.alloc(0) },
        metrics,
        now: () => 10_000,
      },
    );
    await sink.send([
      { topic: 'results', key: 'e1:goodera', value: 'a', headers: { 'impact-published-at': '7500' } },
      { topic: 'results', key: 'e2:workday', value: 'b' },
      { topic: 'dlq', key: 'x', value: 'zzz' },
    ]);
    expect(sent).toHaveLength(3);
    const counted = await metrics.registry.getSingleMetricAsString('impactin_results_total');
    expect(counted).toContain('{platform="goodera",status="delivered",error_class="none"} 1');
    expect(counted).toContain('{platform="workday",status="rejected",error_class="PLATFORM_REJECTED"} 1');
    const latency = await metrics.registry.getSingleMetricAsString('impactin_publish_to_result_seconds');
    expect(latency).toContain('impactin_publish_to_result_seconds_sum{platform="goodera"} 2.5');
    expect(latency).not.toContain('platform="workday"');
  });

  it('counts nothing when the send fails', async () => {
    const metrics = createMetrics(new Registry(), { defaultMetrics: false });
    const sink = meterResults(
      { send: async (_messages: readonly OutboundMessage[]) => Promise.reject(new Error('broker down')) },
      { resultsTopic: 'results', codec: { decode: () => ({ platform: 'goodera', status: 'delivered', errorClass: null }) as DeliveryResult, encode: () => Buffer.alloc(0) }, metrics },
    );
    await expect(sink.send([{ topic: 'results', key: 'k', value: 'a' }])).rejects.toThrow('broker down');
    expect(await metrics.registry.getSingleMetricAsString('impactin_results_total')).not.toContain('goodera');
  });
});
