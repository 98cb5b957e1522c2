/**
 * The delivery result analytics reads from the results topic: one final result per
 * (event, platform). Keyed by `${eventId}:${platform}` so consumers can de-duplicate.
 */
import { z } from 'zod';
import { PLATFORMS } from './platform.ts';
import { EVENT_KINDS } from './event.ts';

export const DELIVERY_STATUSES = ['delivered', 'rejected', 'dead_lettered'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const deliveryResultSchema = z.strictObject({
  eventId: z.uuid(),
  platform: z.enum(PLATFORMS),
  tenantId: z.string(),
  kind: z.enum(EVENT_KINDS),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number().int().min(0),
  externalRef: z.string().nullable(),
  errorClass: z.string().nullable(),
  errorReason: z.string().nullable(),
  idempotencyKey: z.string(),
  firstAttemptAt: z.iso.datetime({ offset: true }),
  completedAt: z.iso.datetime({ offset: true }),
  /** The delivery's generation when later than the first (a redrive, or a replay's `--force`); absent is 0. */
  generation: z.number().int().min(1).optional(),
  /** The replay that put the event back on its deliver topic, when one did. */
  replayId: z.uuid().optional(),
});

export type DeliveryResult = z.infer<typeof deliveryResultSchema>;

export function resultKey(result: { eventId: string; platform: string }): string {
  return `${result.eventId}:${result.platform}`;
}
