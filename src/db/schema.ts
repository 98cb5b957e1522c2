/** Kysely table types for impact-in's PostgreSQL schema (see ./migrations). */
import type { ColumnType, Generated, GeneratedAlways } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface ImpactDeliveriesTable {
  id: Generated<string>;
  event_id: string;
  platform: string;
  tenant_id: string;
  event_kind: string;
  status: string;
  attempts: number;
  last_error_class: string | null;
  last_error_reason: string | null;
  external_ref: string | null;
  idempotency_key: string;
  first_attempt_at: Timestamp;
  completed_at: Timestamp | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  attempt_history: ColumnType<unknown, string | undefined, string>;
  generation: Generated<number>;
  replay_id: string | null;
}

export interface OutboxTable {
  id: Generated<string>;
  topic: string;
  message_key: string | null;
  payload: Buffer;
  headers: ColumnType<Record<string, string>, string, string>;
  created_at: Generated<Date>;
  published_at: Date | null;
}

export interface ImpactProviderTokensTable {
  id: Generated<string>;
  company_id: string;
  provider: string;
  access_token_ciphertext: Buffer;
  refresh_token_ciphertext: Buffer | null;
  key_id: string;
  token_type: Generated<string>;
  expires_at: Timestamp;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface TenantsTable {
  tenant_id: string;
  display_name: string;
  policy: ColumnType<Record<string, unknown>, string | undefined, string>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface TenantPlatformsTable {
  tenant_id: string;
  platform: string;
  enabled: Generated<boolean>;
  credentials_ciphertext: Buffer;
  credentials_key_id: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface RedactionAuditTable {
  event_id: string;
  tenant_id: string;
  event_kind: string;
  policy_version: string;
  key_id: string;
  counts: ColumnType<Record<string, Record<string, number>>, string, string>;
  created_at: Generated<Date>;
}

export interface DeliveryJobsTable {
  platform: string;
  job_id: string;
  tenant_id: string;
  status: string;
  record_count: number;
  submitted_at: Timestamp;
  next_poll_at: Timestamp;
  poll_count: Generated<number>;
  completed_at: Timestamp | null;
  completed_via: string | null;
  created_at: Generated<Date>;
}

export interface DeliveryJobRecordsTable {
  platform: string;
  job_id: string;
  record_index: number;
  event_id: string;
  tenant_id: string;
  event_kind: string;
  idempotency_key: string;
  attempts: number;
  first_attempt_at: Timestamp;
  attempt_history: ColumnType<unknown, string | undefined, string>;
  source_topic: string | null;
  source_partition: number | null;
  source_offset: string | null;
  message_key: Buffer | null;
  message_value: Buffer | null;
  message_headers: ColumnType<Record<string, string> | null, string | null, string | null>;
  message_timestamp: string | null;
  /** The delivery generation the submission is for (0 unless a redrive or forced replay). */
  generation: ColumnType<number, number | undefined, number>;
  replay_id: string | null;
}

export interface CallbackReceiptsTable {
  platform: string;
  signature_hash: string;
  received_at: Generated<Date>;
}

export interface Database {
  redaction_audit: RedactionAuditTable;
  impact_deliveries: ImpactDeliveriesTable;
  outbox: OutboxTable;
  impact_provider_tokens: ImpactProviderTokensTable;
  tenants: TenantsTable;
  tenant_platforms: TenantPlatformsTable;
  delivery_jobs: DeliveryJobsTable;
  delivery_job_records: DeliveryJobRecordsTable;
  callback_receipts: CallbackReceiptsTable;
  parked_deliveries: ParkedDeliveriesTable;
  unsettled_sends: UnsettledSendsTable;
  delivery_generations: DeliveryGenerationsTable;
  replays: ReplaysTable;
  replay_items: ReplayItemsTable;
  admin_audit: AdminAuditTable;
}

export interface ParkedDeliveriesTable {
  platform: string;
  event_id: string;
  seq: GeneratedAlways<string>;
  ordering_key: string;
  tenant_id: string;
  source_topic: string;
  source_partition: number;
  source_offset: string;
  message_key: Buffer | null;
  message_value: Buffer;
  message_headers: ColumnType<Record<string, string>, string, string>;
  message_timestamp: string;
  attempts: number;
  retries: number;
  reason: string;
  parked_at: Generated<Date>;
  next_attempt_at: Timestamp;
  locked_by: string | null;
  locked_until: Timestamp | null;
  attempt_history: ColumnType<unknown, string | undefined, string>;
}

export interface UnsettledSendsTable {
  platform: string;
  event_id: string;
  marked_at: Generated<Date>;
}

export interface DeliveryGenerationsTable {
  platform: string;
  event_id: string;
  generation: number;
  kind: string;
  reason: string;
  replay_id: string | null;
  requested_by: string;
  requested_at: Generated<Date>;
  previous_status: string;
  previous_external_ref: string | null;
  previous_error_class: string | null;
  previous_attempt_history: ColumnType<unknown, string | undefined, string>;
}

export interface ReplaysTable {
  id: string;
  platform: string;
  window_from: Timestamp;
  window_to: Timestamp;
  filters: ColumnType<Record<string, unknown>, string, string>;
  force: boolean;
  reason: string | null;
  requested_by: string;
  status: string;
  counts: ColumnType<Record<string, number>, string, string>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  finished_at: Timestamp | null;
}

export interface ReplayItemsTable {
  replay_id: string;
  event_id: string;
  tenant_id: string;
  verdict: string;
  generation: number;
  source_partition: number;
  source_offset: string;
  message_key: Buffer | null;
  message_value: Buffer;
  /** The trace context the message carried (traceparent/tracestate), put back on it when replayed. */
  trace_headers: ColumnType<Record<string, string> | null, string | null | undefined, string | null>;
  sent_at: Timestamp | null;
}

export interface AdminAuditTable {
  id: Generated<string>;
  at: Generated<Date>;
  actor: string;
  action: string;
  params: ColumnType<Record<string, unknown>, string, string>;
  outcome: ColumnType<Record<string, unknown>, string, string>;
}
