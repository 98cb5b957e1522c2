/**
 * Redaction policy as code, versioned. Two layers:
 *
 * 1. `input`: what the redactor does with every field of every event kind before anything is
 *    routed — keep a structured value, scrub free text, or drop it. (Every kept string passes the
 *    free-text detectors too, as a second line; `scrub` marks a field as free text, which a tenant
 *    can withhold altogether.) The subject
 *    is fixed: the employee id becomes a keyed pseudonym; name and email are sealed (encrypted)
 *    only on donations, for receipts, and dropped otherwise; the phone is always dropped.
 * 2. `platforms`: per platform and kind, which optional fields may leave for that platform. What
 *    is not listed is removed before the connector maps the event. A tenant can tighten this
 *    further (`TenantPolicy`), never widen it.
 *
 * `validatePolicy` runs at start and fails naming the field when the policy does not cover every
 * field of the contract, names a field that does not exist, or would drop a required field.
 */
import type { EventKind } from '../../domain/event.ts';
import type { Platform } from '../../domain/platform.ts';

export type FieldTreatment = 'keep' | 'scrub' | 'drop';

/** Optional event fields that may leave for a platform; `contact` is the sealed donor contact. */
export type PlatformAllowList = Partial<Record<EventKind, readonly string[]>>;

export interface RedactionPolicy {
  readonly version: string;
  readonly input: Readonly<Record<EventKind, Readonly<Record<string, FieldTreatment>>>>;
  readonly platforms: Readonly<Record<Platform, PlatformAllowList>>;
}

/** A tenant's tightening of the policy. */
export interface TenantPolicy {
  /** Donor name and email go to Benevity so it can send tax receipts. Off unless the tenant turns it on. */
  readonly donationReceipts: boolean;
  /** `none` withholds every optional free-text field from every platform. */
  readonly freeText: 'scrubbed' | 'none';
  /**
   * Names and terms the redactor removes from every string of the tenant's events (case- and
   * diacritic-insensitively, as whole words) before anything is routed: people the name lists do
   * not know, internal code names. Absent: none.
   */
  readonly denyList?: readonly string[];
}

export const DEFAULT_TENANT_POLICY: TenantPolicy = Object.freeze({ donationReceipts: false, freeText: 'scrubbed' });

export const POLICY: RedactionPolicy = {
  version: '2026-11-28.2',
  input: {
    volunteer_activity: {
      activityName: 'scrub',
      hours: 'keep',
      activityDate: 'keep',
      projectId: 'keep',
      organizationId: 'keep',
      description: 'scrub',
    },
    donation: {
      amountMinor: 'keep',
      currency: 'keep',
      recipientId: 'keep',
      campaignId: 'keep',
      projectId: 'keep',
      note: 'scrub',
    },
    program_enrolment: {
      programId: 'keep',
      programName: 'scrub',
      enrolledOn: 'keep',
      cohort: 'scrub',
    },
    program_outcome: {
      programId: 'keep',
      outcome: 'scrub',
      value: 'keep',
      unit: 'keep',
      notes: 'scrub',
    },
  },
  platforms: {
    benevity: {
      donation: ['campaignId', 'contact'],
      volunteer_activity: ['description'],
    },
    goodera: {
      volunteer_activity: [],
      donation: ['campaignId', 'projectId'],
      program_enrolment: [],
      program_outcome: [],
    },
    workday: {
      volunteer_activity: [],
      program_enrolment: ['cohort'],
    },
  },
};

/** Free-text fields: the ones whose input treatment is `scrub`. */
export function freeTextFields(policy: RedactionPolicy, kind: EventKind): string[] {
  return Object.entries(policy.input[kind])
    .filter(([, treatment]) => treatment === 'scrub')
    .map(([field]) => field);
}
