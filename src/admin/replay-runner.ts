/**
 * Replays the admin API started, running in this process: one at a time per replay id, stoppable.
 * State is in PostgreSQL (src/replay/replay-run.ts), so a replay interrupted by a restart is
 * resumed with POST /api/v1/replays/{id}/resume (or `impact-in replay run --id`).
 */
import { errorReason } from '../domain/errors.ts';
import type { Platform } from '../domain/platform.ts';
import type { Logger } from '../observability/logger.ts';
import type { OperatorContext } from '../operator/context.ts';
import { runRecorded } from '../replay/replays.ts';

export interface ReplayRunner {
  run(id: string, platform: Platform, ratePerSecond?: number): void;
  stop(id: string): Promise<void>;
  stopAll(): Promise<void>;
}

export function createReplayRunner(ctx: OperatorContext, logger: Logger): ReplayRunner {
  const running = new Map<string, { stop: AbortController; done: Promise<unknown> }>();
  return {
    run(id, platform, ratePerSecond) {
      if (running.has(id)) return;
      const stop = new AbortController();
      const done = runRecorded(ctx, id, platform, { signal: stop.signal, ...(ratePerSecond ? { ratePerSecond } : {}) })
        .then((summary) => logger.info({ replayId: id, status: summary.status, sent: summary.sent, total: summary.total }, 'replay finished'))
        .catch((error: unknown) => logger.error({ replayId: id, err: errorReason(error) }, 'replay failed; resume it'))
        .finally(() => running.delete(id));
      running.set(id, { stop, done });
    },
    async stop(id) {
      const run = running.get(id);
      if (!run) return;
      run.stop.abort();
      await run.done;
    },
    async stopAll() {
      await Promise.all([...running.keys()].map((id) => this.stop(id)));
    },
  };
}
