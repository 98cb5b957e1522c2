/**
 * A scenario's own Jaeger v2 (deploy/local/jaeger: built once from the Go module proxy, cached per
 * machine) on free loopback ports, spans in memory. Reads traces back through the query API.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './redis-process.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;

export interface JaegerSpan {
  readonly traceID: string;
  readonly spanID: string;
  readonly operationName: string;
  readonly references: readonly { refType: 'CHILD_OF' | 'FOLLOWS_FROM'; traceID: string; spanID: string }[];
  readonly tags: readonly { key: string; value: unknown }[];
  readonly processID: string;
}

export interface JaegerProcess {
  /** OTLP/HTTP base URL, for OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly otlpUrl: string;
  readonly queryUrl: string;
  /** The spans of one trace (empty when Jaeger has none yet). */
  trace(traceId: string): Promise<JaegerSpan[]>;
  stop(): Promise<void>;
}

export async function startJaeger(): Promise<JaegerProcess> {
  const build = spawnSync('bash', [`${ROOT}deploy/local/jaeger/build.sh`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (build.status !== 0) throw new Error('could not build Jaeger: run deploy/local/jaeger/build.sh (needs Go and the Go module proxy)');
  const binary = build.stdout.trim();
  const ports = { JAEGER_QUERY_PORT: await freePort(), JAEGER_QUERY_GRPC_PORT: await freePort(), JAEGER_HEALTH_PORT: await freePort(), JAEGER_OTLP_GRPC_PORT: await freePort(), JAEGER_OTLP_HTTP_PORT: await freePort() };
  const env = { ...process.env, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])) };
  const child: ChildProcess = spawn(binary, ['--config', `${ROOT}deploy/local/jaeger/jaeger.yaml`], { env, stdio: 'ignore' });
  const queryUrl = `http://127.0.0.1:${ports.JAEGER_QUERY_PORT}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ready = await fetch(`http://127.0.0.1:${ports.JAEGER_HEALTH_PORT}/status`).then((r) => r.ok, () => false);
    if (ready) break;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error('jaeger did not start');
    await sleep(100);
  }
  return {
    otlpUrl: `http://127.0.0.1:${ports.JAEGER_OTLP_HTTP_PORT}`,
    queryUrl,
    async trace(traceId) {
      const response = await fetch(`${queryUrl}/api/traces/${traceId}`);
      if (response.status === 404) return [];
      const body = (await response.json()) as { data?: { spans: JaegerSpan[] }[] };
      return body.data?.[0]?.spans ?? [];
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    },
  };
}
