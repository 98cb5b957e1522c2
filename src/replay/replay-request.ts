/** What a replay is asked for, as the CLI and the admin API accept it (one zod schema for both). */
import { z } from 'zod';
import { PLATFORMS } from '../domain/platform.ts';
import type { ReplayRequest } from './replays.ts';

/** A date-time from 1970 on (Kafka's offsetsForTimes takes epoch milliseconds). */
export const epochTime = z.iso
  .datetime({ offset: true })
  .refine((value) => Date.parse(value) >= 0 && Date.parse(value) < Date.parse('9000-01-01T00:00:00Z'), 'must be from 1970 to 8999');
/** A tenant id as impact-in's contracts allow it. */
export const tenantIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/, 'letters, digits and _.:- (1-128)');
/** Free text for the audit (a reason): printable, well-formed Unicode. */
export const auditText = (min: number, max: number) =>
  z
    .string()
    .min(min)
    .max(max)
    // eslint-disable-next-line no-control-regex
    .regex(/^[^\u0000-\u001f\u007f]*$/, 'no control characters')
    .refine((value) => value.isWellFormed(), 'must be well-formed Unicode');

export const replayRequestSchema = z
  .strictObject({
    platform: z.enum(PLATFORMS),
    from: epochTime.describe('window start (inclusive): publish time on the deliver topic'),
    to: epochTime.describe('window end (exclusive)'),
    tenants: z.array(tenantIdSchema).max(1000).optional(),
    eventIds: z.array(z.uuid()).max(10_000).optional(),
    verify: z.boolean().optional().describe('ask the platform whether delivered records still exist'),
    force: z.boolean().optional().describe('re-send delivered records as a new generation (needs a reason to run)'),
  })
  .refine((r) => Date.parse(r.from) < Date.parse(r.to), { path: ['to'], message: 'to must be after from' });

export type ReplayRequestInput = z.infer<typeof replayRequestSchema>;

export function toReplayRequest(input: ReplayRequestInput): ReplayRequest {
  return {
    platform: input.platform,
    from: new Date(input.from),
    to: new Date(input.to),
    ...(input.tenants ? { tenants: input.tenants } : {}),
    ...(input.eventIds ? { eventIds: input.eventIds } : {}),
    ...(input.verify !== undefined ? { verify: input.verify } : {}),
    ...(input.force !== undefined ? { force: input.force } : {}),
  };
}
