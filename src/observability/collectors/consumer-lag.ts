/** The consumer-lag gauge: every group this process runs, on its topic, read at scrape time. */
import type { LagReader } from '../../kafka/ports.ts';
import type { Metrics } from '../metrics.ts';

export interface WatchedGroup {
  readonly group: string;
  readonly topic: string;
}

export function watchConsumerLag(metrics: Metrics, reader: LagReader, groups: readonly WatchedGroup[]): void {
  metrics.onScrape(async () => {
    await Promise.all(
      groups.map(async ({ group, topic }) => {
        for (const { partition, lag } of await reader.read(group, topic)) {
          metrics.consumerLag.set({ group, topic, partition: String(partition) }, lag);
        }
      }),
    );
  });
}
