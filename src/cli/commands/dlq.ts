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
import type { CommandSpec } from '../help.ts';
import { UsageError, intOf, parseFlags } from '../usage.ts';

const selection = {
  topic: { type: 'string', value: 'TOPIC', required: true, description: 'the dead-letter topic, e.g. impact.events.dlq.v1 (TOPIC_PREFIX included)' },
  code: { type: 'string', value: 'CODE', description: 'only dead letters with this error code, e.g. VALIDATION_FAILED' },
  limit: { type: 'string', value: 'N', description: 'at most this many', int: { default: 1_000_000, min: 1, max: 100_000_000 } },
} as const;
const DLQ_ENV = ['KAFKA_BROKERS', 'IMPACT_SECRET_KEY', 'IMPACT_SECRET_KEY_ID', 'IMPACT_SECRET_OLD_KEYS'];

export const dlqSpec = {
  name: 'dlq',
  summary: 'dead letters: inspect their headers, or redrive them to their source topics',
  subcommands: [
    {
      name: 'inspect',
      summary: 'one line per dead letter (coordinates, time, stage, code, source, reason) and counts by code',
      description: 'Headers only: the payload stays sealed and is never printed.',
      flags: selection,
      env: DLQ_ENV,
      examples: ['impact-in dlq inspect --topic impact.events.dlq.v1 --code VALIDATION_FAILED --limit 20'],
    },
    {
      name: 'redrive',
      summary: 'unseal each dead letter and publish its original key and bytes to its source topic',
      description: 'Redriving twice is safe: every stage downstream is idempotent.',
      flags: { ...selection, 'dry-run': { type: 'boolean', default: false, description: 'say how many would be redriven, send nothing' } },
      env: DLQ_ENV,
      examples: ['impact-in dlq redrive --topic impact.events.dlq.v1 --code DEPENDENCY_UNAVAILABLE --dry-run'],
    },
  ],
} as const satisfies CommandSpec;

export async function dlqCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'inspect' && sub !== 'redrive') throw new UsageError('dlq: expected "inspect" or "redrive"');
  const flags = dlqSpec.subcommands[1].flags;
  const { values } = parseFlags(rest, sub === 'inspect' ? dlqSpec.subcommands[0].flags : flags);
  if (!values.topic) throw new UsageError(`dlq ${sub}: --topic is required`);
  const limit = intOf('limit', flags.limit, values.limit);
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
  if ('dry-run' in values && values['dry-run'] === true) {
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
