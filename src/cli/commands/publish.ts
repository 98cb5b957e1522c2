/**
 * `impact-in publish`: publishes sample impact events at a rate, optionally with malformed
 * messages mixed in (to see the dead-letter path). Prints one event id per line with --ids.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../../observability/logger.ts';
import { createImpactPublisher, loadPublisherConfig } from '../../publisher/publisher.ts';
import { sampleEvents } from '../../publisher/sample-events.ts';
import { intFlag, parseFlags } from '../usage.ts';

export async function publishCommand(args: string[]): Promise<void> {
  const { values } = parseFlags(args, {
    count: { type: 'string' },
    rate: { type: 'string' },
    tenant: { type: 'string', multiple: true },
    malformed: { type: 'string' },
    seed: { type: 'string' },
    ids: { type: 'boolean', default: false },
  });
  const count = intFlag('count', values.count, 100, 1, 10_000_000);
  const rate = intFlag('rate', values.rate, 100, 1, 1_000_000);
  const malformed = intFlag('malformed', values.malformed, 0, 0, 1_000_000);
  const seed = intFlag('seed', values.seed, Date.now() % 2 ** 31, 0, 2 ** 31 - 1);
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
