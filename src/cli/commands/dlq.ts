/**
 * `impact-in dlq inspect|redrive --topic <dlq topic>`: what is in a dead-letter topic (headers
 * only: code, reason, stage, source coordinates — the payload stays sealed), and putting its
 * messages back on their source topics once the cause is fixed (src/redrive/). A platform's dead
 * letter is re-delivered once, as a new generation of its delivery; one delivered meanwhile is
 * never sent again. `--tenant` and `--event-id` narrow a platform's dead letters; `--dry-run` says
 * what would happen.
 */
import { userInfo } from 'node:os';
import { loadConfig } from '../../config/config.ts';
import { DLQ_HEADERS } from '../../kafka/dead-letter.ts';
import { createStderrLogger } from '../../observability/logger.ts';
import { openOperatorContext } from '../../operator/context.ts';
import { redrive } from '../../redrive/redrive.ts';
import type { CommandSpec } from '../help.ts';
import { UsageError, intOf, parseFlags } from '../usage.ts';

const selection = {
  topic: { type: 'string', value: 'TOPIC', required: true, description: 'the dead-letter topic, e.g. impact.deliver.goodera.dlq.v1 (TOPIC_PREFIX included)' },
  code: { type: 'string', value: 'CODE', description: 'only dead letters with this error code, e.g. VALIDATION_FAILED' },
  tenant: { type: 'string', multiple: true, value: 'ID', description: "only this tenant's dead letters (platform dead letters)" },
  'event-id': { type: 'string', multiple: true, value: 'UUID', description: 'only these events (platform dead letters)' },
  limit: { type: 'string', value: 'N', description: 'at most this many', int: { default: 1_000_000, min: 1, max: 100_000_000 } },
} as const;
const REDRIVE_FLAGS = {
  ...selection,
  reason: { type: 'string', value: 'TEXT', description: 'why, recorded in the audit (default: "redrive after the cause was fixed")' },
  actor: { type: 'string', value: 'NAME', description: 'who, recorded in the audit (default: cli:<user>)' },
  'dry-run': { type: 'boolean', default: false, description: 'say what would be redriven, send nothing' },
} as const;
const DLQ_ENV = ['KAFKA_BROKERS', 'TOPIC_PREFIX', 'DATABASE_URL', 'IMPACT_SECRET_KEY', 'IMPACT_SECRET_KEY_ID', 'IMPACT_SECRET_OLD_KEYS'];

export const dlqSpec = {
  name: 'dlq',
  summary: 'dead letters: inspect their headers, or redrive them once their cause is fixed',
  subcommands: [
    {
      name: 'inspect',
      summary: 'one line per dead letter (coordinates, time, stage, code, source, reason) and counts by code',
      description: 'Headers only: the payload stays sealed and is never printed.',
      flags: REDRIVE_FLAGS,
      env: DLQ_ENV,
      examples: ['impact-in dlq inspect --topic impact.events.dlq.v1 --code VALIDATION_FAILED --limit 20'],
    },
    {
      name: 'redrive',
      summary: "re-deliver a platform's dead letters as a new generation (never one delivered meanwhile); republish input dead letters",
      description: 'Audited. A platform dead letter is delivered once by the live deliverers; redriving twice sends nothing more.',
      flags: REDRIVE_FLAGS,
      env: DLQ_ENV,
      examples: ['impact-in dlq redrive --topic impact.deliver.goodera.dlq.v1 --code PLATFORM_REJECTED --tenant acme --dry-run'],
    },
  ],
} as const satisfies CommandSpec;

export async function dlqCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'inspect' && sub !== 'redrive') throw new UsageError('dlq: expected "inspect" or "redrive"');
  // inspect takes the same flags, so a filter that works for one works for the other.
  const { values } = parseFlags(rest, REDRIVE_FLAGS);
  if (!values.topic) throw new UsageError(`dlq ${sub}: --topic is required`);
  const limit = intOf('limit', REDRIVE_FLAGS.limit, values.limit);
  for (const id of values['event-id'] ?? []) {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw new UsageError(`--event-id must be a uuid, got "${id}"`);
  }
  const config = loadConfig();
  const logger = createStderrLogger('warn');
  const ctx = await openOperatorContext(config, logger, 'dlq');
  try {
    const all = await ctx.readTopic(values.topic);
    if (sub === 'inspect') {
      const messages = all.filter((m) => values.code === undefined || m.headers[DLQ_HEADERS.code] === values.code).slice(0, limit);
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
    const report = await redrive(ctx.redriveDeps(), all, {
      topic: values.topic,
      dryRun: values['dry-run'],
      actor: values.actor ?? `cli:${userInfo().username}`,
      reason: values.reason ?? 'redrive after the cause was fixed',
      limit,
      ...(values.code !== undefined ? { code: values.code } : {}),
      ...(values.tenant ? { tenants: values.tenant } : {}),
      ...(values['event-id'] ? { eventIds: values['event-id'] } : {}),
    });
    for (const item of report.items) {
      process.stdout.write(`${item.partition}:${item.offset}\t${item.code}\t${item.tenantId ?? '-'}\t${item.eventId ?? '-'}\t${item.action}${item.generation ? ` (generation ${item.generation})` : ''}\n`);
    }
    const c = report.counts;
    process.stdout.write(
      `${report.dryRun ? 'would redrive' : 'redrove'} ${c.redrive} as a new generation, ${report.dryRun ? 'would republish' : 'republished'} ${c.republish}; ` +
        `skipped ${c.skip_delivered} delivered meanwhile, ${c.skip_found_at_platform} found at the platform (not re-sent), ` +
        `${c.skip_duplicate} duplicates, ${c.skip_undecodable} undecodable\n`,
    );
  } finally {
    await ctx.close();
  }
}
