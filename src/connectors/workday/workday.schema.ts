/** Workday's REST contract as the connector sees it: credentials, request and response bodies. */
import { z } from 'zod';

/** A tenant's Workday API client. The refresh-token grant is the default; client credentials is an option. */
export const workdayCredentialsSchema = z
  .object({
    /** The Workday tenant name in the API paths (`/ccx/api/v1/{tenant}/…`). */
    tenant: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a Workday tenant name'),
    clientId: z.string().min(1).max(256),
    clientSecret: z.string().min(8).max(512),
    grant: z.enum(['refresh_token', 'client_credentials']).default('refresh_token'),
    refreshToken: z.string().min(8).max(4096).optional(),
  })
  .refine((c) => c.grant !== 'refresh_token' || c.refreshToken !== undefined, {
    message: 'refreshToken is required for the refresh_token grant',
    path: ['refreshToken'],
  });
export type WorkdayCredentials = z.infer<typeof workdayCredentialsSchema>;

export const workdayTokenSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().regex(/^bearer$/i),
  expires_in: z.number().int().positive(),
  refresh_token: z.string().min(1).optional(),
});

export interface WorkdayActivityBody {
  externalKey: string;
  activityDate: string;
  hours: number;
  activityName: string;
  organization?: string;
}

export interface WorkdayEnrollmentBody {
  externalKey: string;
  programId: string;
  programName: string;
  enrolledOn: string;
  cohort?: string;
}

/** Where a record goes and what it carries. */
export interface WorkdayWrite {
  readonly collection: 'volunteerActivities' | 'programEnrollments';
  readonly workerId: string;
  readonly body: WorkdayActivityBody | WorkdayEnrollmentBody;
}

export const workdayCreatedSchema = z.object({
  id: z.string().min(1),
  workerId: z.string(),
  externalKey: z.string(),
});

export const workdayLookupSchema = z.object({
  data: z.array(z.object({ id: z.string().min(1), externalKey: z.string() })),
});

export const workdayErrorSchema = z.object({ error: z.string(), message: z.string().optional() });
