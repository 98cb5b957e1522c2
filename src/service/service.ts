/**
 * Starts the roles this process runs. What every role shares is opened once (core.ts); each role
 * is wired on it by its own module — redactor and router (transform-roles.ts), the deliverers
 * (deliver-roles.ts), the relay (relay-role.ts) — and nothing is global. Stop order matters:
 * consumers first (they finish in-flight work and commit), then a last outbox drain, then the
 * clients they used.
 */
import type { Config } from '../config/config.ts';
import { PAYLOAD_SCHEMAS } from '../domain/event.ts';
import type { Platform } from '../domain/platform.ts';
import { startHealthServer } from '../observability/health-server.ts';
import { primeDeadLetters } from '../observability/metrics.ts';
import type { Logger } from '../observability/logger.ts';
import type { OutboxRelay } from '../outbox/outbox-relay.ts';
import { POLICY } from '../redaction/policy/policy.ts';
import { validatePolicy } from '../redaction/policy/validate-policy.ts';
import { openCore, type Core, type Opened } from './core.ts';
import { wireDeliverers } from './deliver-roles.ts';
import { preflight } from './preflight.ts';
import { wireRelay } from './relay-role.ts';
import type { Role } from './roles.ts';
import { wireRedactor, wireRouter } from './transform-roles.ts';

export interface RunningService {
  readonly healthPort: number;
  stop(): Promise<void>;
}

export async function startService(config: Config, roles: readonly Role[], logger: Logger): Promise<RunningService> {
  // The policy and the platform URLs are checked before anything connects: a bad one fails fast.
  const policy = validatePolicy(POLICY, PAYLOAD_SCHEMAS);
  preflight(config, roles);
  const opened: Opened = { closers: [], consumers: [], drainers: [] };
  try {
    const core = await openCore(config, roles, logger, policy, opened);
    if (roles.includes('redactor')) wireRedactor(core);
    if (roles.includes('router')) wireRouter(core);
    await wireDeliverers(core, roles.filter((role) => role.startsWith('deliver:')).map((role) => role.slice(8) as Platform));
    const relay = roles.includes('relay') ? wireRelay(core) : undefined;
    primeDeadLetters(core.metrics, core.consumers.map(({ stage }) => stage));
    await Promise.all(core.starts);
    return await serve(core, roles, relay);
  } catch (error) {
    // A failure at any point of start-up (a broker, database or port that is not there) closes
    // what was opened, so the caller can exit instead of hanging on open handles.
    logger.debug('start-up failed: closing what was opened');
    await Promise.allSettled([...opened.consumers.map(({ consumer }) => consumer.stop()), ...opened.drainers.map((d) => d.stop())]);
    for (const close of opened.closers) await close().catch(() => undefined);
    throw error;
  }
}

/** Health and readiness over HTTP, and the ordered stop. */
async function serve(core: Core, roles: readonly Role[], relay: OutboxRelay | undefined): Promise<RunningService> {
  const { config, logger, metrics, consumers, drainers, closers } = core;
  const readiness = () => {
    const parts: Record<string, boolean> = {};
    for (const { stage, consumer } of consumers) {
      parts[stage] = consumer.isHealthy();
      metrics.stageUp.set({ stage }, parts[stage] ? 1 : 0);
    }
    if (relay) parts.relay = relay.isHealthy();
    return parts;
  };
  // impactin_stage_up follows each scrape too, not only readiness probes.
  metrics.onScrape(() => void readiness());
  const health = await startHealthServer(config.server.host, config.server.port, core.registry, readiness);
  logger.info({ roles, healthPort: health.port, topics: core.topics.events }, 'impact-in started');

  let stopping: Promise<void> | undefined;
  return {
    healthPort: health.port,
    stop: () =>
      (stopping ??= (async () => {
        logger.info('stopping: finishing in-flight work');
        await Promise.allSettled([...consumers.map(({ consumer }) => consumer.stop()), ...drainers.map((drainer) => drainer.stop())]);
        if (relay) {
          // Publish what the consumers just committed, so a clean stop leaves no result behind.
          for (let i = 0; i < 20; i++) {
            const published = await relay.publishBatch().catch(() => 0);
            if (published === 0) break;
            metrics.outboxPublished.inc(published);
          }
          // relay.stop() is the first of the closers below.
        }
        await health.close();
        for (const close of closers) await close().catch(() => undefined);
        logger.info('stopped');
      })()),
  };
}
