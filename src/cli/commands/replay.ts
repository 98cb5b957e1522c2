/**
 * `impact-in replay plan|run|list|status`: replay one platform's deliveries for a window of
 * publish time on its deliver topic (src/replay/). `plan` has no side effects; `run` sends exactly
 * what the plan says — each once, through the live deliverers — and can be stopped (Ctrl-C) and
 * resumed (`run --id`); `--rate N` caps the messages a second it puts on the deliver topic.
 */
import { userInfo } from 'node:os';
import { loadConfig } from '../../config/config.ts';
import { createStderrLogger } from '../../observability/logger.ts';
import { openOperatorContext } from '../../operator/context.ts';
import type { Plan } from '../../replay/replay-plan.ts';
import { replayRequestSchema, toReplayRequest } from '../../replay/replay-request.ts';
import { getReplay, listReplays, type ReplaySummary } from '../../replay/replay-run.ts';
import { planWindow, runRecorded, startReplay } from '../../replay/replays.ts';
import type { CommandSpec } from '../help.ts';
import { UsageError, intFlag, parseFlags } from '../usage.ts';

const FLAGS = {
  platform: { type: 'string', value: 'PLATFORM', choices: ['benevity', 'goodera', 'workday'], description: 'the platform to replay' },
  from: { type: 'string', value: 'TIME', description: 'window start, inclusive (ISO 8601; publish time on the deliver topic)' },
  to: { type: 'string', value: 'TIME', description: 'window end, exclusive (ISO 8601)' },
  tenant: { type: 'string', multiple: true, value: 'ID', description: 'only these tenants' },
  'event-id': { type: 'string', multiple: true, value: 'UUID', description: 'only these events' },
  verify: { type: 'boolean', default: false, description: "ask the platform whether each delivered record is still there (its lookup, under the shared rate limits)" },
  force: { type: 'boolean', default: false, description: 'run: re-send delivered records too, as a new generation (needs --reason)' },
  reason: { type: 'string', value: 'TEXT', description: 'why, recorded with the replay' },
  actor: { type: 'string', value: 'NAME', description: 'who, recorded with the replay (default: cli:<user>)' },
  id: { type: 'string', value: 'UUID', description: 'status: the replay; run: resume this replay' },
  rate: { type: 'string', value: 'N', description: 'run: at most N messages a second onto the deliver topic', int: { min: 1, max: 1_000_000 } },
  json: { type: 'boolean', default: false, description: 'machine-readable output (the plan\'s diff)' },
} as const;
const REPLAY_ENV = ['KAFKA_BROKERS', 'TOPIC_PREFIX', 'DATABASE_URL', 'REDIS_URL', 'IMPACT_SECRET_KEY', 'SCHEMA_REGISTRY_URL'];

export const replaySpec = {
  name: 'replay',
  summary: "replay one platform's deliveries for a window: plan (no side effects), run, list, status",
  description: `plan says, for every event in the window, what a replay would do: already delivered, rejected,
dead-lettered, outcome unknown, or would send. run sends exactly that through the live deliverers,
each once; Ctrl-C stops it and run --id resumes it. Audited.`,
  subcommands: [
    { name: 'plan', summary: 'what a replay of the window would send, and why not the rest', flags: FLAGS, env: REPLAY_ENV, examples: ['impact-in replay plan --platform goodera --from 2026-12-01T00:00:00Z --to 2026-12-02T00:00:00Z --verify'] },
    { name: 'run', summary: 'send what the plan says would be sent, each once (or resume one with --id)', flags: FLAGS, env: REPLAY_ENV },
    { name: 'list', summary: 'replays, newest first, with their counts', flags: FLAGS, env: REPLAY_ENV },
    { name: 'status', summary: "one replay's progress (--id)", flags: FLAGS, env: REPLAY_ENV },
  ],
} as const satisfies CommandSpec;

export async function replayCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'plan' && sub !== 'run' && sub !== 'list' && sub !== 'status') {
    throw new UsageError('replay: expected "plan", "run", "list" or "status"');
  }
  const { values } = parseFlags(rest, FLAGS);
  const config = loadConfig();
  const logger = createStderrLogger('warn');
  const actor = values.actor ?? `cli:${userInfo().username}`;
  const out = (text: string) => process.stdout.write(text);

  if ((sub === 'status' || (sub === 'run' && values.id)) && !/^[0-9a-f-]{36}$/i.test(values.id ?? '')) {
    throw new UsageError(`replay ${sub}: --id must be a replay id (uuid)`);
  }
  const request =
    sub === 'plan' || (sub === 'run' && !values.id)
      ? parseRequest({
          platform: values.platform,
          from: values.from,
          to: values.to,
          tenants: values.tenant,
          eventIds: values['event-id'],
          verify: values.verify,
          force: values.force,
        })
      : null;
  const rate = values.rate === undefined ? undefined : intFlag('rate', values.rate, 0, 1, 1_000_000);
  if (sub === 'run' && request?.force && !values.reason) throw new UsageError('replay run: --force needs --reason');

  const ctx = await openOperatorContext(config, logger, 'replay');
  try {
    if (sub === 'list') {
      const replays = await listReplays(ctx.db);
      if (values.json) out(`${JSON.stringify(replays, null, 2)}\n`);
      else for (const r of replays) out(`${statusLine(r)}\n`);
      return;
    }
    if (sub === 'status') {
      const replay = await getReplay(ctx.db, values.id!);
      if (!replay) throw new UsageError(`replay status: no replay ${values.id}`);
      out(values.json ? `${JSON.stringify(replay, null, 2)}\n` : `${statusLine(replay)}\n`);
      return;
    }
    if (sub === 'plan') {
      const { plan } = await planWindow(ctx, request!, logger);
      out(values.json ? `${JSON.stringify(plan, null, 2)}\n` : planTable(plan));
      return;
    }
    // run: a new replay from its plan, or the resumption of a recorded one.
    let id = values.id;
    let platform = request?.platform;
    if (!id) {
      const started = await startReplay(ctx, request!, { actor, reason: values.reason ?? null }, logger);
      id = started.id;
      if (!values.json) out(planTable(started.plan));
      out(`replay ${id} started\n`);
    } else {
      const recorded = await getReplay(ctx.db, id);
      if (!recorded) throw new UsageError(`replay run: no replay ${id}`);
      platform = recorded.platform as typeof platform;
      out(`replay ${id} resumed (${recorded.sent}/${recorded.total} sent before)\n`);
    }
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      const summary = await runRecorded(ctx, id, platform!, {
        signal: stop.signal,
        ...(rate === undefined ? {} : { ratePerSecond: rate }),
        onProgress: ({ sent, total }) => process.stderr.write(`replay ${id}: sent ${sent}/${total}\n`),
      });
      out(values.json ? `${JSON.stringify(summary, null, 2)}\n` : `${statusLine(summary)}\n`);
      if (summary.status === 'stopped') out(`stopped; resume with: impact-in replay run --id ${id}\n`);
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  } finally {
    await ctx.close();
  }
}

function parseRequest(input: Record<string, unknown>) {
  const cleaned = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  const parsed = replayRequestSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = { eventIds: 'event-id', tenants: 'tenant' }[String(issue.path[0])] ?? String(issue.path[0] ?? '');
    throw new UsageError(`--${field}: ${issue.message}`);
  }
  return toReplayRequest(parsed.data);
}

export function planTable(plan: Plan): string {
  const f = plan.filters;
  const lines = [
    `replay plan  ${f.platform}  [${f.from.toISOString()}, ${f.to.toISOString()})  events ${plan.items.length}` +
      `${f.tenants?.length ? `  tenants ${f.tenants.join(',')}` : ''}${plan.verified ? '  verified' : ''}${plan.force ? '  force' : ''}`,
    `  ${'verdict'.padEnd(22)}${'events'.padStart(8)}   action`,
  ];
  const actionOf = new Map(plan.items.map((i) => [i.verdict, i.action]));
  for (const [verdict, count] of Object.entries(plan.summary.verdicts)) {
    if (count === 0) continue;
    lines.push(`  ${verdict.padEnd(22)}${String(count).padStart(8)}   ${actionOf.get(verdict as never) ?? 'none'}`);
  }
  const { send, resend, none } = plan.summary.actions;
  lines.push(`would send ${send}, would re-send ${resend}, leave ${none}`);
  if (!plan.force && plan.summary.verdicts.missing_at_platform > 0) {
    lines.push(`${plan.summary.verdicts.missing_at_platform} delivered records are missing at the platform: re-sent only with --force --reason`);
  }
  return `${lines.join('\n')}\n`;
}

function statusLine(r: ReplaySummary): string {
  return `${r.id}  ${r.platform}  [${r.from}, ${r.to})  ${r.status}  sent ${r.sent}/${r.total}  by ${r.requestedBy}  at ${r.createdAt}${r.reason ? `  reason: ${r.reason}` : ''}`;
}
