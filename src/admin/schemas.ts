/**
 * Every request and response of the admin API as a zod schema: the single source of the
 * validation (src/admin/http.ts) and of the OpenAPI document (src/admin/openapi.ts).
 */
import { z } from 'zod';
import { DELIVERY_STATUSES } from '../domain/delivery-result.ts';
import { PLATFORMS } from '../domain/platform.ts';
import { REDRIVE_ACTIONS } from '../redrive/redrive.ts';
import { ACTIONS, VERDICTS } from '../replay/replay-plan.ts';
import { auditText, epochTime, replayRequestSchema, tenantIdSchema } from '../replay/replay-request.ts';
import { REPLAY_STATUSES } from '../replay/replay-run.ts';

const uuid = z.uuid();
const isoTime = z.iso.datetime({ offset: true });

export const errorSchema = z.strictObject({
  code: z.string().describe('a stable error code: INVALID_REQUEST, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, CONFLICT, INTERNAL'),
  message: z.string(),
  field: z.string().nullable().describe('the request field at fault (query.x, body.y, path.z), when one is'),
});

export const DELIVERY_SEARCH_STATUSES = [...DELIVERY_STATUSES] as const;

export const deliverySearchQuery = z.strictObject({
  eventId: uuid.optional(),
  tenant: tenantIdSchema.optional(),
  platform: z.enum(PLATFORMS).optional(),
  status: z.enum(DELIVERY_SEARCH_STATUSES).optional(),
  from: epochTime.optional().describe('completed at or after'),
  to: epochTime.optional().describe('completed before'),
  cursor: z.string().regex(/^[1-9]\d{0,17}$/).optional().describe('the nextCursor of the previous page'),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

export const deliverySummarySchema = z.strictObject({
  eventId: uuid,
  platform: z.enum(PLATFORMS),
  tenantId: z.string(),
  kind: z.string(),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number().int(),
  generation: z.number().int(),
  externalRef: z.string().nullable(),
  errorClass: z.string().nullable(),
  completedAt: isoTime.nullable(),
});

export const deliveryPageSchema = z.strictObject({
  items: z.array(deliverySummarySchema),
  nextCursor: z.string().nullable(),
});

export const deliveryParams = z.strictObject({ platform: z.enum(PLATFORMS), eventId: uuid });

const attemptSchema = z.record(z.string(), z.unknown()).describe('one request that left for the platform: when, result, duration');

export const deliveryDetailSchema = deliverySummarySchema.extend({
  errorReason: z.string().nullable(),
  idempotencyKey: z.string(),
  firstAttemptAt: isoTime.nullable(),
  replayId: uuid.nullable(),
  attemptHistory: z.array(attemptSchema),
  previousGenerations: z.array(
    z.strictObject({
      generation: z.number().int().describe('the generation that replaced this one'),
      kind: z.string(),
      reason: z.string(),
      requestedBy: z.string(),
      requestedAt: isoTime,
      replayId: uuid.nullable(),
      status: z.string(),
      externalRef: z.string().nullable(),
      errorClass: z.string().nullable(),
      attemptHistory: z.array(attemptSchema),
    }),
  ),
});

export const platformStatusSchema = z.strictObject({
  platform: z.enum(PLATFORMS),
  group: z.string(),
  topic: z.string(),
  lag: z.array(z.strictObject({ partition: z.number().int(), committed: z.string().nullable(), end: z.string(), lag: z.number().int() })),
  totalLag: z.number().int(),
  breaker: z.enum(['closed', 'half_open', 'open', 'unknown']).describe('from the deliverers\' metrics (ADMIN_SCRAPE_URLS)'),
  rateLimit: z.strictObject({ degraded: z.boolean().nullable(), waitSecondsTotal: z.number().nullable() }),
  pausedPartitions: z.number().int().nullable(),
  parked: z.number().int(),
  deadLetterDepth: z.number().int(),
  lastDeliveryAt: isoTime.nullable(),
});
export const platformsSchema = z.strictObject({ platforms: z.array(platformStatusSchema) });

export const DEAD_LETTER_TOPICS = ['events', 'redacted', ...PLATFORMS] as const;
export const deadLetterQuery = z.strictObject({
  topic: z.enum(DEAD_LETTER_TOPICS).describe('events, redacted, or a platform'),
  code: z.string().regex(/^[A-Z0-9_]{1,64}$/).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});
export const deadLetterSchema = z.strictObject({
  partition: z.number().int(),
  offset: z.string(),
  code: z.string().nullable(),
  reason: z.string().nullable(),
  stage: z.string().nullable(),
  failedAt: z.string().nullable(),
  sourceTopic: z.string().nullable(),
  sourcePartition: z.string().nullable(),
  sourceOffset: z.string().nullable(),
});
export const deadLettersSchema = z.strictObject({
  topic: z.string(),
  total: z.number().int(),
  byCode: z.record(z.string(), z.number().int()),
  items: z.array(deadLetterSchema),
});

export const redriveBody = z.strictObject({
  topic: z.enum(DEAD_LETTER_TOPICS),
  code: z.string().regex(/^[A-Z0-9_]{1,64}$/).optional(),
  tenants: z.array(tenantIdSchema).max(1000).optional(),
  eventIds: z.array(uuid).max(10_000).optional(),
  dryRun: z.boolean().default(false),
  reason: auditText(3, 400).optional(),
});
export const redriveReportSchema = z.strictObject({
  dryRun: z.boolean(),
  counts: z.record(z.enum(REDRIVE_ACTIONS), z.number().int()),
  items: z.array(
    z.strictObject({
      partition: z.number().int(),
      offset: z.string(),
      code: z.string().nullable(),
      reason: z.string().nullable(),
      failedAt: z.string().nullable(),
      eventId: uuid.nullable(),
      tenantId: z.string().nullable(),
      action: z.enum(REDRIVE_ACTIONS),
      generation: z.number().int().nullable(),
    }),
  ),
});

export const replayPlanBody = replayRequestSchema;
export const replayStartBody = replayRequestSchema.safeExtend({
  reason: auditText(3, 400).optional().describe('required with force: recorded with each re-sent generation'),
  ratePerSecond: z.number().int().min(1).max(100_000).optional().describe('cap on messages a second onto the deliver topic'),
});
export const planSchema = z.strictObject({
  platform: z.enum(PLATFORMS),
  from: isoTime,
  to: isoTime,
  force: z.boolean(),
  verified: z.boolean(),
  summary: z.strictObject({
    verdicts: z.record(z.enum(VERDICTS), z.number().int()),
    actions: z.record(z.enum(ACTIONS), z.number().int()),
    undecodable: z.number().int(),
  }),
  items: z.array(
    z.strictObject({
      eventId: uuid,
      tenantId: z.string(),
      partition: z.number().int(),
      offset: z.string(),
      publishedAt: isoTime,
      verdict: z.enum(VERDICTS),
      action: z.enum(ACTIONS),
      externalRef: z.string().nullable(),
      code: z.string().nullable(),
      generation: z.number().int(),
    }),
  ),
});
export const replaySummarySchema = z.strictObject({
  id: uuid,
  platform: z.string(),
  from: isoTime,
  to: isoTime,
  filters: z.record(z.string(), z.unknown()),
  force: z.boolean(),
  reason: z.string().nullable(),
  requestedBy: z.string(),
  status: z.enum(REPLAY_STATUSES),
  counts: z.record(z.string(), z.number()),
  total: z.number().int(),
  sent: z.number().int(),
  createdAt: isoTime,
  finishedAt: isoTime.nullable(),
});
export const replayListSchema = z.strictObject({ replays: z.array(replaySummarySchema) });
export const replayParams = z.strictObject({ id: uuid });

export const tenantsSchema = z.strictObject({
  tenants: z.array(
    z.strictObject({
      tenantId: z.string(),
      displayName: z.string(),
      platforms: z.array(
        z.strictObject({
          platform: z.enum(PLATFORMS),
          enabled: z.boolean(),
          credentials: z.record(z.string(), z.literal('********')).nullable().describe('field names, values masked; null when no configured key opens them'),
          keyId: z.string(),
          tokenExpiresAt: isoTime.nullable(),
        }),
      ),
    }),
  ),
});
