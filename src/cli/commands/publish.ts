/**
 * `impact-in publish`: publishes sample impact events at a rate, optionally with malformed
 * messages mixed in (to see the dead-letter path). Prints one event id per line with --ids.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../../observability/logger.ts';
import { createImpactPublisher, loadPublisherConfig } from '../../publisher/publisher.ts';
import { sampleEvents } from '../../publisher/sample-events.ts';
import type { CommandSpec } from '../help.ts';
import { intOf, parseFlags } from '../usage.ts';

export const publishSpec = {
  name: 'publish',
  summary: 'publish sample impact events (every kind, with personal data to redact) at a rate',
  description: 'Events go to the input topic in the registry\'s wire format (the schemas must be pushed).',
  flags: {
    count: { type: 'string', value: 'N', description: 'events to publish', int: { default: 100, min: 1, max: 10_000_000 } },
    rate: { type: 'string', value: 'N', description: 'events per second', int: { default: 100, min: 1, max: 1_000_000 } },
    tenant: { type: 'string', multiple: true, value: 'ID', description: 'tenant of the events, round robin (default acme)' },
    malformed: { type: 'string', value: 'N', description: 'malformed messages mixed in (dead-lettered)', int: { default: 0, min: 0, max: 1_000_000 } },
    seed: { type: 'string', value: 'N', description: 'seed of the sample data (default: from the clock)', int: { min: 0, max: 2 ** 31 - 1 } },
    ids: { type: 'boolean', default: false, description: 'print each event id on its own line' },
  },
  env: ['KAFKA_BROKERS', 'TOPIC_PREFIX', 'SCHEMA_REGISTRY_URL', 'SCHEMA_REGISTRY_TIMEOUT_MS'],
  examples: ['impact-in publish --count 1000 --rate 200 --tenant acme --tenant globex --malformed 10'],
} as const satisfies CommandSpec;

export async function publishCommand(args: string[]): Promise<void> {
  const flags = publishSpec.flags;
  const { values } = parseFlags(args, flags);
  const count = intOf('count', flags.count, values.count);
  const rate = intOf('rate', flags.rate, values.rate);
  const malformed = intOf('malformed', flags.malformed, values.malformed);
  const seed = intOf('seed', flags.seed, values.seed, Date.now() % 2 ** 31);
  const tenants = values.tenant && values.tenant.length > 0 ? values.tenant : ['acme'];
  const publisher = await createImpactPublisher(loadPublisherConfig(), createLogger('warn'));
  try {
    const { published, ids } = await publishAtRate(publisher, sampleEvents(count, { tenants, seed, now: new Date() }), rate, malformed);
    if (values.ids) process.stdout.write(`${ids.join('\n')}\n`);
    process.stderr.write(`published ${published} events and ${malformed} malformed messages\n`);
  } finally {
    await publisher.close();
  }
}

type Publisher = Awaited<ReturnType<typeof createImpactPublisher>>;

/** Publishes in slices of ~100 ms worth of events, spreading `malformed` messages among them. */
export async function publishAtRate(
  publisher: Publisher,
  events: Parameters<Publisher['publishImpactEvents']>[0],
  rate: number,
  malformed: number,
  onProgress?: (published: number) => void,
): Promise<{ published: number; ids: string[] }> {
  const slice = Math.max(1, Math.round(rate / 10));
  const ids: string[] = [];
  const started = Date.now();
  let badLeft = malformed;
  for (let i = 0; i < events.length; i += slice) {
    ids.push(...(await publisher.publishImpactEvents(events.slice(i, i + slice))));
    const badNow = Math.ceil((badLeft * slice) / Math.max(1, events.length - i));
    if (badNow > 0) {
      await publisher.publishRaw(
        Array.from({ length: Math.min(badNow, badLeft) }, (_, n) => ({
          key: `malformed-${i}-${n}`,
          value: n % 2 === 0 ? '{"not":"an impact event"' : JSON.stringify({ kind: 'donation', payload: { amountMinor: -5 } }),
        })),
      );
      badLeft -= Math.min(badNow, badLeft);
    }
    onProgress?.(ids.length);
    const due = started + (ids.length / rate) * 1000;
    if (due > Date.now()) await sleep(due - Date.now());
  }
  return { published: ids.length, ids };
}
