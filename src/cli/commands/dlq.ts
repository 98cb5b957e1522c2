/**
 * `impact-in dlq inspect|redrive --topic <dlq topic>`: what is in a dead-letter topic (headers
 * only: code, reason, stage, source coordinates — the payload stays sealed), and putting its
 * messages back on their source topics once the cause is fixed (the original key and bytes,
 * unsealed with the secret key). Redriving twice is safe: every stage downstream is idempotent.
 */
import { loadConfig } from '../../config/config.ts';
import { createSecretBox } from '../../crypto/secret-box.ts';
import { DLQ_HEADERS, openDeadLetter } from '../../kafka/dead-letter.ts';
import { createKafka } from '../../kafka/kafkajs/client.ts';
import { createKafkaSink } from '../../kafka/kafkajs/producer.ts';
import { readTopicToEnd } from '../../kafka/kafkajs/read-topic.ts';
import { createLogger } from '../../observability/logger.ts';
import { UsageError, intFlag, parseFlags } from '../usage.ts';

export async function dlqCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'inspect' && sub !== 'redrive') throw new UsageError('dlq: expected "inspect" or "redrive"');
  const { values } = parseFlags(rest, {
    topic: { type: 'string' },
    code: { type: 'string' },
    limit: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
  });
  if (!values.topic) throw new UsageError(`dlq ${sub}: --topic is required`);
  const limit = intFlag('limit', values.limit, 1_000_000, 1, 100_000_000);
  const config = loadConfig();
  const logger = createLogger('warn');
  const kafka = createKafka(config.kafka, 'dlq', logger);
  const messages = (await readTopicToEnd(kafka, values.topic))
    .filter((m) => values.code === undefined || m.headers[DLQ_HEADERS.code] === values.code)
    .slice(0, limit);

  if (sub === 'inspect') {
    const byCode = new Map<string, number>();
    for (const m of messages) {
      const h = m.headers;
      byCode.set(h[DLQ_HEADERS.code] ?? '?', (byCode.get(h[DLQ_HEADERS.code] ?? '?') ?? 0) + 1);
      process.stdout.write(
        `${m.partition}:${m.offset}\t${h[DLQ_HEADERS.failedAt]}\t${h[DLQ_HEADERS.stage]}\t${h[DLQ_HEADERS.code]}\t` +
          `${h[DLQ_HEADERS.sourceTopic]}:${h[DLQ_HEADERS.sourcePartition]}:${h[DLQ_HEADERS.sourceOffset]}\t${h[DLQ_HEADERS.reason]}\n`,
      );
    }
    process.stdout.write(`${messages.length} dead letters${[...byCode].map(([c, n]) => `; ${c} ${n}`).join('')}\n`);
    return;
  }

  const box = createSecretBox(config.secrets.keys, config.secrets.keyId);
  const originals = messages.map((m) => openDeadLetter(box, m));
  if (values['dry-run']) {
    process.stdout.write(`would redrive ${originals.length} messages\n`);
    return;
  }
  const sink = createKafkaSink(kafka);
  await sink.connect();
  try {
    await sink.send(originals.map((o) => ({ topic: o.topic, key: o.key, value: o.value })));
  } finally {
    await sink.disconnect();
  }
  process.stdout.write(`redrove ${originals.length} messages to their source topics\n`);
}
