/**
 * What the deliver:benevity role runs besides its consumer: the callback endpoint Benevity posts
 * import completions to, and the reconciler that polls imports whose callback is overdue. Any
 * instance can take any callback (the state is in PostgreSQL), so instances behind one load
 * balancer share BENEVITY_CALLBACK_PUBLIC_URL.
 */
import type { Config } from '../config/config.ts';
import type { Db } from '../db/database.ts';
import type { AsyncJobReader, JobCallbackReader } from '../connectors/connector.ts';
import { DeliveryJobs } from './delivery-jobs.ts';
import { startJobReconciler, type JobReconciler } from './job-reconciler.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { TenantDirectory } from '../tenants/tenant-directory.ts';
import type { AsyncCodec } from '../codec/codec.ts';
import type { DeliveryResult } from '../domain/delivery-result.ts';
import type { DeadLetters } from '../kafka/dead-letter.ts';
import type { Topics } from '../kafka/topics.ts';
import { createJobCallbackHandler } from './job-callback.ts';
import { traceCallback } from '../observability/tracing/callback-spans.ts';
import { startCallbackServer, type CallbackServer } from './callback-server.ts';

export interface BenevityEndpoint {
  readonly port: number;
  /** The URL Benevity is given for a tenant's import completions. */
  callbackUrl(tenantId: string): string;
  /** Starts polling overdue imports through `reader` (the Benevity connector). */
  startReconciler(reader: AsyncJobReader): void;
  close(): Promise<void>;
}

export interface BenevityEndpointDeps {
  readonly config: Config;
  readonly db: Db;
  readonly topics: Pick<Topics, 'results' | 'deliverDlq'>;
  readonly deadLetters: DeadLetters;
  readonly resultCodec: AsyncCodec<DeliveryResult>;
  readonly tenants: TenantDirectory;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Benevity's connector's reading of its signed callbacks (connectors/benevity/benevity.callback.ts). */
  readonly callbacks: JobCallbackReader;
}

export async function startBenevityEndpoint(deps: BenevityEndpointDeps): Promise<BenevityEndpoint> {
  const settings = deps.config.platforms.benevity.callback;
  const jobs = new DeliveryJobs({ db: deps.db, topics: deps.topics, deadLetters: deps.deadLetters, resultCodec: deps.resultCodec });
  const server: CallbackServer = await startCallbackServer({
    host: settings.host,
    port: settings.port,
    logger: deps.logger,
    handlers: {
      benevity: traceCallback('benevity', createJobCallbackHandler({
        platform: 'benevity',
        callbacks: deps.callbacks,
        tenants: deps.tenants,
        jobs,
        toleranceSeconds: settings.toleranceSeconds,
        onAnswer: (response) => deps.metrics.callbacks.inc({ platform: 'benevity', result: response.code }),
      })),
    },
  });
  const host = settings.host === '0.0.0.0' || settings.host === '::' ? '127.0.0.1' : settings.host;
  const base = (settings.publicUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${server.port}`).replace(/\/$/, '');
  deps.logger.info({ port: server.port, url: `${base}/callbacks/benevity/` }, 'benevity callback endpoint listening');
  let reconciler: JobReconciler | undefined;
  return {
    port: server.port,
    callbackUrl: (tenantId) => `${base}/callbacks/benevity/${encodeURIComponent(tenantId)}`,
    startReconciler(reader) {
      reconciler ??= startJobReconciler({
        platform: 'benevity',
        jobs,
        reader,
        tenants: deps.tenants,
        logger: deps.logger,
        tickMs: Math.min(5_000, settings.pollIntervalMs),
        repollMs: settings.pollIntervalMs,
        // Receipts outlive the tolerance window: an older replay fails the timestamp check anyway.
        receiptTtlMs: settings.toleranceSeconds * 2 * 1000,
        onPoll: (result) => deps.metrics.jobPolls.inc({ platform: 'benevity', result }),
      });
    },
    async close() {
      await reconciler?.stop();
      await server.close();
    },
  };
}
