/** The admin API's routes: deliveries, platforms, dead letters, replays, tenants (schemas in ./schemas.ts). */
import type { Dispatcher } from 'undici';
import { DLQ_HEADERS } from '../kafka/dead-letter.ts';
import type { LagReader } from '../kafka/kafkajs/group-offsets.ts';
import type { InboundMessage } from '../kafka/ports.ts';
import type { Logger } from '../observability/logger.ts';
import type { OperatorContext } from '../operator/context.ts';
import { redrive } from '../redrive/redrive.ts';
import { toReplayRequest } from '../replay/replay-request.ts';
import { getReplay, listReplays } from '../replay/replay-run.ts';
import { planWindow, startReplay } from '../replay/replays.ts';
import type { Plan } from '../replay/replay-plan.ts';
import type { TenantRepository } from '../tenants/tenant-repository.ts';
import { deliveryDetail, searchDeliveries } from './deliveries-query.ts';
import { ApiError, route, type Route } from './http.ts';
import { platformStatuses } from './platform-status.ts';
import type { ReplayRunner } from './replay-runner.ts';
import {
  deadLetterQuery,
  deadLettersSchema,
  deliveryDetailSchema,
  deliveryPageSchema,
  deliveryParams,
  deliverySearchQuery,
  planSchema,
  platformsSchema,
  redriveBody,
  redriveReportSchema,
  replayListSchema,
  replayParams,
  replayPlanBody,
  replayStartBody,
  replaySummarySchema,
  tenantsSchema,
  type DEAD_LETTER_TOPICS,
} from './schemas.ts';

export interface AdminDeps {
  readonly ctx: OperatorContext;
  readonly lag: LagReader;
  readonly dispatcher: Dispatcher;
  readonly scrapeUrls: readonly string[];
  /** Dead letters read so far, by dead-letter topic name (headers are what leaves; payloads stay sealed). */
  readonly deadLetters: (topic: string) => readonly InboundMessage[];
  readonly tenants: TenantRepository;
  readonly replays: ReplayRunner;
  readonly logger: Logger;
}

export function dlqTopicOf(ctx: OperatorContext, name: (typeof DEAD_LETTER_TOPICS)[number]): string {
  if (name === 'events') return ctx.topics.eventsDlq;
  if (name === 'redacted') return ctx.topics.redactedDlq;
  return ctx.topics.deliverDlq[name];
}

function planJson(plan: Plan) {
  const { filters, ...rest } = plan;
  return { platform: filters.platform, from: filters.from.toISOString(), to: filters.to.toISOString(), ...rest, items: [...plan.items] };
}

/**
 * The routes; `deps` is resolved when a request is handled, so the route catalogue (and the
 * OpenAPI document made from it) exists without a running service.
 */
export function adminRoutes(deps: () => AdminDeps): Route[] {
  return [
    route({
      method: 'GET',
      path: '/api/v1/deliveries',
      operationId: 'searchDeliveries',
      summary: 'Search deliveries by event id, tenant, platform, status and completion time (newest first, cursor-paged)',
      tag: 'deliveries',
      scope: 'read',
      query: deliverySearchQuery,
      response: deliveryPageSchema,
      handle: ({ query }) => searchDeliveries(deps().ctx.db, query),
    }),
    route({
      method: 'GET',
      path: '/api/v1/deliveries/{platform}/{eventId}',
      operationId: 'getDelivery',
      summary: 'One delivery with its attempt history and earlier generations',
      tag: 'deliveries',
      scope: 'read',
      params: deliveryParams,
      response: deliveryDetailSchema,
      errors: [404],
      handle: async ({ params }) => {
        const detail = await deliveryDetail(deps().ctx.db, params.platform, params.eventId);
        if (!detail) throw new ApiError(404, 'NOT_FOUND', `no ${params.platform} delivery of event ${params.eventId}`, 'path.eventId');
        return detail;
      },
    }),
    route({
      method: 'GET',
      path: '/api/v1/platforms',
      operationId: 'listPlatforms',
      summary: 'Per platform: lag per partition, breaker, rate limit, parked, dead-letter depth, last delivery',
      tag: 'platforms',
      scope: 'read',
      response: platformsSchema,
      handle: async () => ({
        platforms: await platformStatuses({
          db: deps().ctx.db,
          lag: deps().lag,
          topics: deps().ctx.topics,
          topicPrefix: deps().ctx.config.kafka.topicPrefix,
          scrapeUrls: deps().scrapeUrls,
          dispatcher: deps().dispatcher,
        }),
      }),
    }),
    route({
      method: 'GET',
      path: '/api/v1/dead-letters',
      operationId: 'listDeadLetters',
      summary: 'Dead letters of a topic, by code (headers only: sealed payloads never leave)',
      tag: 'dead letters',
      scope: 'read',
      query: deadLetterQuery,
      response: deadLettersSchema,
      handle: async ({ query }) => {
        const topic = dlqTopicOf(deps().ctx, query.topic);
        const all = deps().deadLetters(topic);
        const byCode: Record<string, number> = {};
        for (const m of all) byCode[m.headers[DLQ_HEADERS.code] ?? '?'] = (byCode[m.headers[DLQ_HEADERS.code] ?? '?'] ?? 0) + 1;
        const matching = all.filter((m) => query.code === undefined || m.headers[DLQ_HEADERS.code] === query.code);
        const h = (m: InboundMessage, name: string) => m.headers[name] ?? null;
        return {
          topic,
          total: matching.length,
          byCode,
          items: matching.slice(-(query.limit ?? 200)).map((m) => ({
            partition: m.partition,
            offset: m.offset,
            code: h(m, DLQ_HEADERS.code),
            reason: h(m, DLQ_HEADERS.reason),
            stage: h(m, DLQ_HEADERS.stage),
            failedAt: h(m, DLQ_HEADERS.failedAt),
            sourceTopic: h(m, DLQ_HEADERS.sourceTopic),
            sourcePartition: h(m, DLQ_HEADERS.sourcePartition),
            sourceOffset: h(m, DLQ_HEADERS.sourceOffset),
          })),
        };
      },
    }),
    route({
      method: 'POST',
      path: '/api/v1/dead-letters/redrive',
      operationId: 'redriveDeadLetters',
      summary: 'Redrive dead letters by topic, code, tenant or event ids (a platform dead letter is re-delivered once, as a new generation)',
      tag: 'dead letters',
      scope: 'operate',
      body: redriveBody,
      response: redriveReportSchema,
      handle: async ({ body, actor }) => {
        const topic = dlqTopicOf(deps().ctx, body.topic);
        const report = await redrive(deps().ctx.redriveDeps(), deps().deadLetters(topic), {
          topic,
          dryRun: body.dryRun,
          actor,
          reason: body.reason ?? 'redrive after the cause was fixed',
          ...(body.code !== undefined ? { code: body.code } : {}),
          ...(body.tenants ? { tenants: body.tenants } : {}),
          ...(body.eventIds ? { eventIds: body.eventIds } : {}),
        });
        return { dryRun: report.dryRun, counts: report.counts, items: [...report.items] };
      },
    }),
    route({
      method: 'POST',
      path: '/api/v1/replays/plan',
      operationId: 'planReplay',
      summary: 'What a replay of a window would do for each event (no side effects)',
      tag: 'replays',
      scope: 'read',
      body: replayPlanBody,
      response: planSchema,
      handle: async ({ body }) => planJson((await planWindow(deps().ctx, toReplayRequest(body), deps().logger)).plan),
    }),
    route({
      method: 'POST',
      path: '/api/v1/replays',
      operationId: 'startReplay',
      summary: 'Plan and run a replay: exactly the plan\'s sends, each once, through the live deliverers',
      tag: 'replays',
      scope: 'operate',
      body: replayStartBody,
      response: replaySummarySchema,
      status: 202,
      handle: async ({ body, actor }) => {
        if (body.force && !body.reason) throw new ApiError(400, 'INVALID_REQUEST', 'body.reason: a forced replay needs a reason', 'body.reason');
        const { reason, ratePerSecond, ...request } = body;
        const { id } = await startReplay(deps().ctx, toReplayRequest(request), { actor, reason: reason ?? null }, deps().logger);
        deps().replays.run(id, body.platform, ratePerSecond);
        return (await getReplay(deps().ctx.db, id))!;
      },
    }),
    route({
      method: 'GET',
      path: '/api/v1/replays',
      operationId: 'listReplays',
      summary: 'Recent replays, newest first, with progress',
      tag: 'replays',
      scope: 'read',
      response: replayListSchema,
      handle: async () => ({ replays: await listReplays(deps().ctx.db) }),
    }),
    route({
      method: 'GET',
      path: '/api/v1/replays/{id}',
      operationId: 'getReplay',
      summary: 'One replay: status, counts and progress',
      tag: 'replays',
      scope: 'read',
      params: replayParams,
      response: replaySummarySchema,
      errors: [404],
      handle: async ({ params }) => {
        const replay = await getReplay(deps().ctx.db, params.id);
        if (!replay) throw new ApiError(404, 'NOT_FOUND', `no replay ${params.id}`, 'path.id');
        return replay;
      },
    }),
    route({
      method: 'POST',
      path: '/api/v1/replays/{id}/stop',
      operationId: 'stopReplay',
      summary: 'Stop a running replay (resumable)',
      tag: 'replays',
      scope: 'operate',
      params: replayParams,
      response: replaySummarySchema,
      errors: [404],
      handle: async ({ params }) => {
        if (!(await getReplay(deps().ctx.db, params.id))) throw new ApiError(404, 'NOT_FOUND', `no replay ${params.id}`, 'path.id');
        await deps().replays.stop(params.id);
        return (await getReplay(deps().ctx.db, params.id))!;
      },
    }),
    route({
      method: 'POST',
      path: '/api/v1/replays/{id}/resume',
      operationId: 'resumeReplay',
      summary: 'Resume a stopped (or interrupted) replay: the items not yet sent',
      tag: 'replays',
      scope: 'operate',
      params: replayParams,
      response: replaySummarySchema,
      status: 202,
      errors: [404],
      handle: async ({ params }) => {
        const replay = await getReplay(deps().ctx.db, params.id);
        if (!replay) throw new ApiError(404, 'NOT_FOUND', `no replay ${params.id}`, 'path.id');
        deps().replays.run(params.id, replay.platform as Parameters<ReplayRunner['run']>[1]);
        return (await getReplay(deps().ctx.db, params.id))!;
      },
    }),
    route({
      method: 'GET',
      path: '/api/v1/tenants',
      operationId: 'listTenants',
      summary: 'Tenants and the platforms they report to; credential values are masked, never returned',
      tag: 'tenants',
      scope: 'read',
      response: tenantsSchema,
      handle: async () => ({
        tenants: (await deps().tenants.list()).map((t) => ({
          tenantId: t.tenantId,
          displayName: t.displayName,
          platforms: t.platforms.map((p) => ({
            platform: p.platform,
            enabled: p.enabled,
            credentials: p.credentialKeys === null ? null : Object.fromEntries(p.credentialKeys.map((k) => [k, '********' as const])),
            keyId: p.keyId,
            tokenExpiresAt: p.token ? p.token.expiresAt.toISOString() : null,
          })),
        })),
      }),
    }),
  ];
}
