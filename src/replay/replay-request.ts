/** What a replay is asked for, as the CLI and the admin API accept it (one zod schema for both). */
import { z } from 'zod';
import { PLATFORMS } from '../domain/platform.ts';
import type { ReplayRequest } from './replays.ts';

export const replayRequestSchema = z
  .strictObject({
    platform: z.enum(PLATFORMS),
    from: z.iso.datetime({ offset: true }).describe('window start (inclusive): publish time on the deliver topic'),
    to: z.iso.datetime({ offset: true }).describe('window end (exclusive)'),
    tenants: z.array(z.string().min(1).max(128)).max(1000).optional(),
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
