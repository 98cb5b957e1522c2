/**
 * The reconciler of asynchronous jobs: a lost or late callback must not lose a delivery. Every
 * `tickMs` it claims the open jobs whose callback is overdue (submitted more than the callback
 * wait ago, or polled more than `repollMs` ago), asks the platform for each job's state and, once
 * the job has completed, records its outcomes exactly as the callback would (DeliveryJobs.complete —
 * so a callback arriving after the poll, or both at once, changes nothing). Failures (platform,
 * PostgreSQL) are logged with their code and retried on a later tick: the job stays open.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { errorReason } from '../domain/errors.ts';
import type { Platform } from '../domain/platform.ts';
import type { Logger } from '../observability/logger.ts';
import type { TenantDirectory } from '../tenants/tenant-directory.ts';
import type { AsyncJobReader } from '../connectors/connector.ts';
import type { DeliveryJobs } from './delivery-jobs.ts';

export interface JobReconcilerOptions {
  readonly platform: Platform;
  readonly jobs: DeliveryJobs;
  readonly reader: AsyncJobReader;
  readonly tenants: TenantDirectory;
  readonly logger: Logger;
  /** How often to look for overdue jobs. */
  readonly tickMs: number;
  /** A polled job that is still running is polled again after this long. */
  readonly repollMs: number;
  /** Callback receipts are kept this long (beyond the signature tolerance window). */
  readonly receiptTtlMs: number;
  readonly batchSize?: number;
  /** Told of each poll's result: `completed`, `pending`, `not_found` or an error code. */
  readonly onPoll?: (result: string, recorded: number) => void;
}

export interface JobReconciler {
  /** One pass: returns how many jobs were polled. */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
}

export function startJobReconciler(options: JobReconcilerOptions): JobReconciler {
  const stopping = new AbortController();
  const { platform, logger } = options;

  async function runOnce(): Promise<number> {
    const due = await options.jobs.claimDue(platform, options.batchSize ?? 50, options.repollMs);
    for (const job of due) {
      if (stopping.signal.aborted) break;
      try {
        const config = await options.tenants.platformConfig(job.tenantId, platform);
        if (!config) {
          logger.warn({ platform, tenantId: job.tenantId }, 'open job of a tenant without configuration; polled again later');
          options.onPoll?.('no_configuration', 0);
          continue;
        }
        const state = await options.reader.readJob(job.jobId, config.credentials);
        if (state.status === 'pending') {
          options.onPoll?.('pending', 0);
          continue;
        }
        // A job the platform does not know any more accounts for none of its records: each becomes
        // a final result with that reason rather than waiting for ever.
        const results = state.status === 'completed' ? state.results : [];
        const completion = await options.jobs.complete(platform, job.jobId, 'poll', results);
        const recorded = completion.status === 'completed' ? completion.recorded.length : 0;
        options.onPoll?.(state.status, recorded);
        logger.info({ platform, jobId: job.jobId, state: state.status, recorded }, 'job reconciled by polling');
      } catch (error) {
        options.onPoll?.((error as { code?: string }).code ?? 'error', 0);
        logger.warn({ platform, jobId: job.jobId, err: errorReason(error) }, 'job poll failed; retried later');
      }
    }
    await options.jobs.pruneReceipts(options.receiptTtlMs);
    return due.length;
  }

  const loop = (async () => {
    while (!stopping.signal.aborted) {
      try {
        // A full batch means more may be due: go again at once.
        const polled = await runOnce();
        if (polled >= (options.batchSize ?? 50)) continue;
      } catch (error) {
        logger.warn({ platform, err: errorReason(error) }, 'job reconciler pass failed');
      }
      await sleep(options.tickMs, undefined, { signal: stopping.signal }).catch(() => undefined);
    }
  })();

  return {
    runOnce,
    async stop() {
      stopping.abort();
      await loop;
    },
  };
}
