/**
 * Replay as one operation the CLI and the admin API share: read the window, plan it, and — for a
 * run — record the plan and put its items back on the deliver topic.
 */
import type { OperatorContext } from '../operator/context.ts';
import type { Logger } from '../observability/logger.ts';
import { decodeWindow, planReplay, type Plan, type ReplayFilters, type WindowEvent } from './replay-plan.ts';
import { createReplay, runReplay, type ReplaySummary, type RunOptions } from './replay-run.ts';
import { createVerifier } from './verify.ts';

export interface ReplayRequest extends ReplayFilters {
  readonly force?: boolean;
  readonly verify?: boolean;
}

export async function planWindow(ctx: OperatorContext, request: ReplayRequest, logger: Logger): Promise<{ plan: Plan; window: WindowEvent[] }> {
  const messages = await ctx.readWindow(ctx.topics.deliver[request.platform], request.from, request.to);
  const decoded = await decodeWindow(messages, (value) => ctx.decode(value), request);
  const verifier = request.verify ? createVerifier(ctx.config, ctx.db, ctx.box, request.platform, logger) : null;
  try {
    const plan = await planReplay(ctx.db, decoded, request, {
      force: request.force ?? false,
      ...(verifier ? { verify: (event, generation) => verifier.exists(event, generation) } : {}),
    });
    return { plan, window: decoded.events };
  } finally {
    await verifier?.close();
  }
}

/** Plans the window and records the replay; the caller then runs it (`runRecorded`). */
export async function startReplay(
  ctx: OperatorContext,
  request: ReplayRequest,
  who: { actor: string; reason?: string | null },
  logger: Logger,
): Promise<{ id: string; plan: Plan }> {
  const { plan, window } = await planWindow(ctx, request, logger);
  const id = await createReplay(ctx.db, plan, window, { actor: who.actor, reason: who.reason ?? null });
  return { id, plan };
}

export async function runRecorded(ctx: OperatorContext, id: string, platform: ReplayFilters['platform'], options: RunOptions = {}): Promise<ReplaySummary> {
  return runReplay(ctx.db, ctx.sink, ctx.topics.deliver[platform], id, options);
}
