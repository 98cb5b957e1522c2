/** Goodera's API contract as the connector sees it: credentials, request and response bodies. */
import { z } from 'zod';

export const gooderaCredentialsSchema = z.object({
  apiKey: z.string().min(8),
  /** Goodera organization id used when the event does not name one. */
  organizationId: z.string().min(1).max(64),
});
export type GooderaCredentials = z.infer<typeof gooderaCredentialsSchema>;

export const GOODERA_RECORD_TYPES = [
  'volunteer_participation',
  'donation',
  'program_enrolment',
  'program_outcome',
] as const;

export interface GooderaImpactRecord {
  externalId: string;
  recordType: (typeof GOODERA_RECORD_TYPES)[number];
  projectId: string;
  organizationId: string;
  reportingPeriod: string;
  occurredAt: string;
  participantId?: string;
  impactDimensions: { name: string; value: number; unit: string }[];
  metadata: Record<string, string>;
}

export const gooderaCreatedSchema = z.object({
  id: z.string().min(1),
  externalId: z.string(),
  status: z.literal('accepted'),
});

export const gooderaLookupSchema = z.object({
  data: z.array(z.object({ id: z.string().min(1), externalId: z.string() })),
});

export const gooderaErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string().optional() }),
});

/** Records per batch request (Goodera's documented maximum). */
export const GOODERA_MAX_BATCH = 100;

export const gooderaBatchSchema = z.object({
  results: z.array(
    z.discriminatedUnion('status', [
      z.object({ index: z.number().int().min(0), externalId: z.string().nullable(), status: z.literal('accepted'), id: z.string().min(1) }),
      z.object({
        index: z.number().int().min(0),
        externalId: z.string().nullable(),
        status: z.literal('rejected'),
        error: z.object({ code: z.string(), message: z.string() }),
      }),
    ]),
  ),
});
