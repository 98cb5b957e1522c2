/**
 * A short, real pipeline run for the dashboards to show: the service (every role) against the
 * three platform simulators on the local stack, scraped every second by a Prometheus of its own;
 * events published in waves for about `seconds`, with what an operator's panels are for mixed
 * in — Goodera 503s (retries), a Workday Retry-After that parks a delivery, Goodera 422s
 * (rejections), malformed messages (dead letters) — then an idle tail so rates and lag settle.
 * Built on the integration tests' scenario helpers (own topic prefix, database and Redis prefix).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { sampleEvents } from '../../src/publisher/sample-events.ts';
import { WORKDAY_ROUTES } from '../../src/simulators/workday/index.ts';
import { createAllPlatforms } from '../../test/integration/helpers/all-platforms.ts';
import { TENANTS } from '../../test/integration/helpers/pipeline.ts';
import { startPrometheus, type PrometheusProcess } from '../../test/integration/helpers/prometheus-process.ts';
import { spawnService } from '../../test/integration/helpers/service-process.ts';

export interface RunOptions {
  /** How long events are published, s. */
  readonly seconds: number;
  /** Events per wave (one wave every 5 s). */
  readonly perWave: number;
  readonly log: (line: string) => void;
}

export interface Run {
  readonly prometheus: PrometheusProcess;
  /** Unix seconds. */
  readonly start: number;
  readonly end: number;
  /** Stops the service, Prometheus and the simulators, and drops the scenario's database. */
  close(): Promise<void>;
}

const WAVE_MS = 5_000;
const IDLE_MS = 30_000;

export async function runPipeline(options: RunOptions): Promise<Run> {
  const world = await createAllPlatforms('dashboards', {
    // Parking after 1 s; Goodera paced at 120 requests a minute per key, so bursts wait for tokens.
    DELIVERY_PARK_AFTER_MS: '1000',
    DELIVERY_BACKOFF_BASE_MS: '200',
    GOODERA_RATE_LIMIT_PER_MINUTE: '120',
  });
  const { pipeline, workday } = world;
  const service = spawnService('dashboards', pipeline.scenario.env);
  const port = await service.started;
  const prometheus = await startPrometheus([`127.0.0.1:${port}`]);
  const start = Math.floor(Date.now() / 1000);
  options.log(`service on :${port}, prometheus ${prometheus.url}; publishing for ${options.seconds} s`);
  const waves = Math.max(1, Math.round((options.seconds * 1000) / WAVE_MS));
  const events = sampleEvents(waves * options.perWave, { tenants: TENANTS, seed: 14, now: new Date() });
  for (let wave = 0; wave < waves; wave++) {
    const began = Date.now();
    if (wave === Math.floor(waves / 4)) pipeline.goodera.injectFault({ route: '*', kind: 'status', status: 503, count: 6 });
    if (wave === Math.floor(waves / 3)) workday.injectFault({ route: WORKDAY_ROUTES.activity, kind: 'status', status: 503, retryAfterSeconds: 5, count: 1 });
    if (wave === Math.floor(waves / 2)) {
      pipeline.goodera.injectFault({ route: '*', kind: 'status', status: 422, count: 2 });
      await pipeline.publisher.publishRaw([{ key: 'acme:x', value: Buffer.from('not an event') }, { key: 'globex:y', value: Buffer.from('{}') }]);
    }
    await pipeline.publisher.publishImpactEvents(events.slice(wave * options.perWave, (wave + 1) * options.perWave));
    options.log(`wave ${wave + 1}/${waves}: ${pipeline.results().length} results so far`);
    await sleep(Math.max(0, WAVE_MS - (Date.now() - began)));
  }
  // Until the results stop coming (every delivery final, parked ones included), then idle.
  let seen = -1;
  for (const deadline = Date.now() + 120_000; Date.now() < deadline && pipeline.results().length !== seen; ) {
    seen = pipeline.results().length;
    await sleep(5_000);
  }
  options.log(`${seen} results; idle ${IDLE_MS / 1000} s so the panels show the pipeline settle`);
  await sleep(IDLE_MS);
  const end = Math.floor(Date.now() / 1000);
  return {
    prometheus,
    start,
    end,
    async close() {
      await service.stop();
      await prometheus.stop();
      await world.close(); // drops the scenario's database and topics too
    },
  };
}
