/**
 * A chaos run's world: its own PostgreSQL, Kafka broker and toxiproxy (so faults never touch the
 * shared stack), the three platform simulators behind the proxy, and each impact-in role in its
 * own process. `apply` carries out one scheduled fault and undoes it when its time is up.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ScheduledFault } from '../../src/chaos/schedule.ts';
import { CHAOS_ROLES } from '../../src/chaos/schedule.ts';
import { createAllPlatforms, type AllPlatforms } from '../../test/integration/helpers/all-platforms.ts';
import { FAULT_RUN_ENV } from '../../test/integration/helpers/fault-run.ts';
import { kafkaProcess, type KafkaProcess } from '../../test/integration/helpers/kafka-process.ts';
import { postgresProcess, type PostgresProcess } from '../../test/integration/helpers/postgres-process.ts';
import { freePort } from '../../test/integration/helpers/redis-process.ts';
import { spawnService, type ServiceProcess } from '../../test/integration/helpers/service-process.ts';
import { startToxiproxy, type Toxic, type ToxiproxyProxy, type ToxiproxyServer } from '../../test/integration/helpers/toxiproxy-process.ts';

type Platform = 'goodera' | 'benevity' | 'workday';

export interface ChaosWorld {
  readonly all: AllPlatforms;
  readonly services: Map<string, { process: ServiceProcess; healthPort: number }>;
  apply(fault: ScheduledFault, log: (line: string) => void): Promise<void>;
  close(): Promise<void>;
}

const TOXICS: Record<string, Toxic> = {
  net_latency: { type: 'latency', stream: 'downstream', attributes: { latency: 400, jitter: 200 } },
  net_bandwidth: { type: 'bandwidth', stream: 'downstream', attributes: { rate: 4 } },
  net_stall: { type: 'timeout', stream: 'downstream', toxicity: 0.3, attributes: { timeout: 0 } },
  net_reset: { type: 'reset_peer', stream: 'downstream', toxicity: 0.3, attributes: { timeout: 20 } },
};

export async function createChaosWorld(seed: number): Promise<ChaosWorld> {
  const postgres: PostgresProcess = await postgresProcess();
  await postgres.start();
  const kafka: KafkaProcess = await kafkaProcess();
  await kafka.start();
  const toxiproxy: ToxiproxyServer = await startToxiproxy(seed);
  const proxies: Record<Platform, ToxiproxyProxy> = {
    goodera: await toxiproxy.proxy('goodera'),
    benevity: await toxiproxy.proxy('benevity'),
    workday: await toxiproxy.proxy('workday'),
  };
  const all = await createAllPlatforms(
    `chaos${seed}`,
    {
      ...FAULT_RUN_ENV,
      DATABASE_URL: postgres.url,
      KAFKA_BROKERS: kafka.brokers,
      GOODERA_BASE_URL: proxies.goodera.url,
      BENEVITY_BASE_URL: proxies.benevity.url,
      WORKDAY_BASE_URL: proxies.workday.url,
      BENEVITY_CALLBACK_PORT: String(await freePort()),
      GOODERA_RATE_LIMIT_PER_MINUTE: '6000',
      WORKDAY_RATE_LIMIT_PER_MINUTE: '60000',
      WORKDAY_RATE_LIMIT_BURST: '100',
      BENEVITY_RATE_LIMIT_PER_MINUTE: '60000',
      BENEVITY_RATE_LIMIT_BURST: '100',
      KAFKA_SESSION_TIMEOUT_MS: '10000',
      // 5xx windows and resets count as failures; the breaker is proven elsewhere.
      BREAKER_FAILURE_THRESHOLD: '60',
      DELIVERY_MAX_ATTEMPTS: '100',
      // The production settle time after an unanswered send (the default request timeout, 15 s),
      // not the test environment's 3 s: on this machine, under this load, a request has reached
      // the Workday simulator more than 6.5 s after it left (timeout 3 s + settle 3 s), at a moment
      // with no fault applied, and was applied after the look-up had found nothing. The lease
      // holds the request timeout, the settle time and a 12 s send window (rate-limit waits in
      // 429 storms, OAuth token requests).
      DELIVERY_UNKNOWN_SETTLE_MS: '15000',
      IDEMPOTENCY_LEASE_MS: '30000',
      LOG_LEVEL: 'info',
    },
    { callbackBackoffMs: 200 },
  );
  await proxies.goodera.connect(all.pipeline.goodera.url);
  await proxies.benevity.connect(all.benevity.url);
  await proxies.workday.connect(all.workday.url);
  const sims: Record<Platform, { injectFault(spec: unknown): unknown; clearFaults(): void }> = {
    goodera: all.pipeline.goodera,
    benevity: all.benevity,
    workday: all.workday,
  };

  const services = new Map<string, { process: ServiceProcess; healthPort: number }>();
  const start = async (role: string) => {
    const process = spawnService(`chaos-${role.replace(':', '-')}`, all.pipeline.scenario.env, role);
    services.set(role, { process, healthPort: await process.started });
  };
  const close = async () => {
    for (const { process } of services.values()) await process.stop();
    await postgres.start().catch(() => undefined);
    await kafka.start().catch(() => undefined);
    await all.close();
    await toxiproxy.close();
    await kafka.destroy();
    await postgres.destroy();
  };
  try {
    for (const role of CHAOS_ROLES) await start(role);
  } catch (error) {
    await close();
    throw error;
  }

  return {
    all,
    services,
    async apply(fault, log) {
      const target = fault.target as Platform | undefined;
      switch (fault.kind) {
        case 'postgres_stop':
        case 'postgres_kill':
          await (fault.kind === 'postgres_stop' ? postgres.stop() : postgres.kill());
          await sleep(fault.durationMs);
          await postgres.start();
          break;
        case 'kafka_restart':
        case 'kafka_kill':
          await (fault.kind === 'kafka_restart' ? kafka.stop() : kafka.kill());
          await sleep(fault.durationMs);
          await kafka.start();
          break;
        case 'net_latency':
        case 'net_bandwidth':
        case 'net_stall':
        case 'net_reset':
          await proxies[target!].add(fault.kind, TOXICS[fault.kind]!);
          await sleep(fault.durationMs);
          await proxies[target!].remove(fault.kind);
          break;
        case 'role_kill': {
          const victim = services.get(fault.target!)!.process;
          victim.kill('SIGKILL');
          await victim.exited;
          await start(fault.target!);
          break;
        }
        case 'platform_5xx':
        case 'platform_429_storm':
        case 'platform_lost_answers':
        case 'platform_slow': {
          const spec = {
            platform_5xx: { route: '*', kind: 'status', status: 503, probability: 0.3 },
            platform_429_storm: { route: '*', kind: 'status', status: 429, retryAfterSeconds: 1, count: 30 },
            platform_lost_answers: { route: '*', kind: 'applied_response_lost', probability: 0.2 },
            platform_slow: { route: '*', kind: 'latency', ms: 1_500, probability: 0.5 },
          }[fault.kind];
          sims[target!].injectFault(spec);
          await sleep(fault.durationMs);
          sims[target!].clearFaults();
          break;
        }
      }
      log(`fault done   ${fault.kind}${fault.target ? ` ${fault.target}` : ''}`);
    },
    close,
  };
}
