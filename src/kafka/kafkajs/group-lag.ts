/**
 * Consumer lag of a group on a topic, per partition, read from outside the group (as an SRE's
 * `kafka-consumer-groups --describe` does): the high watermark minus the committed offset.
 *
 * A transactional topic ends each transaction with a commit marker, a control record that takes
 * an offset but is no message. A consumer commits the offset after the last *data* record it
 * handled, so the marker behind it would read as lag 1 for ever on an idle partition — unless the
 * group also commits past trailing markers, which every impact-in consumer does (kafkajs'
 * autoCommit for the per-message and batch consumers; transactional-consumer.ts commits empty,
 * control-only batches itself). So the lag read here is 0 exactly when nothing is left to consume.
 */
import type { Admin, Kafka } from 'kafkajs';
import type { LagReader, PartitionLag } from '../ports.ts';

export function createLagReader(kafka: Kafka): LagReader & { close(): Promise<void> } {
  let admin: Promise<Admin> | undefined;
  const connected = () => {
    if (!admin) {
      const created = kafka.admin();
      admin = created.connect().then(() => created);
      admin.catch(() => {
        admin = undefined;
      });
    }
    return admin;
  };
  return {
    async read(groupId: string, topic: string): Promise<PartitionLag[]> {
      const client = await connected();
      const [watermarks, committed] = await Promise.all([client.fetchTopicOffsets(topic), client.fetchOffsets({ groupId, topics: [topic] })]);
      const byPartition = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
      return watermarks.map((w) => {
        const high = BigInt(w.high);
        const done = byPartition.get(w.partition) ?? -1n;
        // No committed offset yet: everything still on the partition is left.
        const from = done < 0n ? BigInt(w.low) : done;
        return { partition: w.partition, lag: Number(high > from ? high - from : 0n) };
      });
    },
    async close() {
      const client = await admin?.catch(() => undefined);
      admin = undefined;
      await client?.disconnect();
    },
  };
}
