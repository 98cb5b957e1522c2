/** Benevity's API contract as the connector sees it: credentials, request and response bodies. */
import { z } from 'zod';

/** Where the idempotency key rides inside a donation (Benevity keeps up to 100 metadata pairs). */
export const BENEVITY_IDEMPOTENCY_METADATA_KEY = 'impactInIdempotencyKey';
export const BENEVITY_EVENT_METADATA_KEY = 'impactInEventId';

export const benevityCredentialsSchema = z.object({
  /** OAuth2 client-credentials pair of the tenant's Benevity account. */
  clientId: z.string().min(1).max(256),
  clientSecret: z.string().min(8).max(1024),
  /** Shared secret of the import-completion callbacks (HMAC-SHA256 over `<t>.<raw body>`). */
  callbackSecret: z.string().min(16).max(1024),
});
export type BenevityCredentials = z.infer<typeof benevityCredentialsSchema>;

export interface BenevityDonationRequest {
  amount: number;
  currency: string;
  recipient: { charityId: string };
  donor: { pseudonymousId: string; name?: string; email?: string };
  receiptRequested?: boolean;
  donatedAt: string;
  campaignId?: string;
  metadata: Record<string, string>;
}

export interface BenevityHoursRecord {
  externalId: string;
  pseudonymousUserId: string;
  hours: number;
  activityDate: string;
  activityName: string;
  projectId?: string;
}

export interface BenevityImportRequest {
  callbackUrl: string;
  records: BenevityHoursRecord[];
}

export const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().regex(/^bearer$/i),
  expires_in: z.number().int().positive(),
});

const storedDonationSchema = z.object({
  id: z.string().min(1),
  status: z.literal('accepted'),
  metadata: z.record(z.string(), z.string()),
});

export const donationCreatedSchema = storedDonationSchema;

export const donationSearchSchema = z.object({ data: z.array(storedDonationSchema) });

export const importAcceptedSchema = z.object({
  jobId: z.string().min(1).max(256),
  status: z.enum(['queued', 'completed']),
  recordCount: z.number().int().positive(),
});

export const importResultSchema = z.discriminatedUnion('status', [
  z.object({ index: z.number().int().min(0), externalId: z.string().nullable(), status: z.literal('accepted'), id: z.string().min(1) }),
  z.object({
    index: z.number().int().min(0),
    externalId: z.string().nullable(),
    status: z.literal('rejected'),
    error: z.object({ code: z.string(), message: z.string() }),
  }),
]);
export type BenevityImportResult = z.infer<typeof importResultSchema>;

export const importJobSchema = z.discriminatedUnion('status', [
  z.object({ jobId: z.string().min(1), status: z.literal('queued') }),
  z.object({ jobId: z.string().min(1), status: z.literal('completed'), results: z.array(importResultSchema) }),
]);

/** The body of an import-completion callback (verified before it is parsed). */
export const importCallbackSchema = z.object({
  jobId: z.string().min(1).max(256),
  status: z.literal('completed'),
  completedAt: z.iso.datetime({ offset: true }),
  results: z.array(importResultSchema).max(10_000),
});

export const hoursLookupSchema = z.object({
  data: z.array(z.object({ id: z.string().min(1), externalId: z.string() })),
});

/** Benevity's flat error body: `{ error: 'code', message }`. */
export const benevityErrorSchema = z.object({ error: z.string(), message: z.string().optional() });
