/**
 * The client's own ceiling on this broker: a plain kafkajs consumer group reading a topic and
 * producing every message as it is (key, value, headers) to a scratch topic — no decoding, no
 * processing; one `send` per fetched batch (acks=all), offsets auto-committed. It reads the
 * topic from the beginning and, at its end, seeks back to the start, until at least `minMessages`
 * were copied and `minSeconds` passed, so the figure is not a fraction of a second's worth.
 * Rate and CPU are measured from the first fetched batch to the last acknowledged send; CPU is
 * this process's (it runs nothing else meanwhile: the pipeline is idle by then).
 */
import { Partitioners, type Kafka } from 'kafkajs';

export interface RawCopy {
  readonly messages: number;
  readonly passes: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly cpuMicrosPerMessage: number;
}

export async function rawConsumeProduce(kafka: Kafka, source: string, target: string, groupId: string, minMessages: number, minSeconds: number): Promise<RawCopy> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(source)).map((p) => [p.partition, Number(p.high)]));
  await admin.disconnect();
  const perPass = [...ends.values()].reduce((a, b) => a + b, 0);
  if (perPass === 0) throw new Error(`${source} is empty`);

  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  const consumer = kafka.consumer({ groupId, maxBytes: 16 * 1024 * 1024 });
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topic: source, fromBeginning: true });
  let copied = 0;
  let passes = 0;
  let startedAt = 0;
  let cpuAtStart = process.cpuUsage();
  let finishedAt = 0;
  let cpuUsed = { user: 0, system: 0 };
  // Next offset to read per partition in this pass; a pass ends when every partition reached its end.
  const position = new Map([...ends.keys()].map((p) => [p, 0]));
  const done = Promise.withResolvers<void>();
  await consumer.run({
    eachBatchAutoResolve: true,
    eachBatch: async ({ batch }) => {
      if (finishedAt > 0 || batch.messages.length === 0) return;
      if (startedAt === 0) {
        startedAt = performance.now();
        cpuAtStart = process.cpuUsage();
      }
      await producer.send({
        topic: target,
        acks: -1,
        messages: batch.messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers })),
      });
      copied += batch.messages.length;
      position.set(batch.partition, Number(batch.lastOffset()) + 1);
      if ([...ends].every(([p, end]) => position.get(p)! >= end)) {
        passes++;
        const seconds = (performance.now() - startedAt) / 1000;
        if (copied >= minMessages && seconds >= minSeconds) {
          finishedAt = performance.now();
          cpuUsed = process.cpuUsage(cpuAtStart);
          done.resolve();
          return;
        }
        for (const p of ends.keys()) {
          position.set(p, 0);
          consumer.seek({ topic: source, partition: p, offset: '0' });
        }
      }
    },
  });
  try {
    await done.promise;
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
  }
  const seconds = (finishedAt - startedAt) / 1000;
  return { messages: copied, passes, seconds, perSecond: copied / seconds, cpuMicrosPerMessage: (cpuUsed.user + cpuUsed.system) / copied };
}
