/**
 * The redaction audit in PostgreSQL: per event, counts per field and detector, the policy version
 * and the pseudonym key id — never a value. Written idempotently (first write wins), so a batch
 * the redactor processes again after a crash writes nothing twice.
 */
import type { Db } from '../db/database.ts';
import type { RedactionAudit } from './redact.ts';

export interface AuditSink {
  record(audits: readonly RedactionAudit[]): Promise<void>;
}

export function createAuditRepository(db: Db): AuditSink {
  return {
    async record(audits) {
      if (audits.length === 0) return;
      await db
        .insertInto('redaction_audit')
        .values(
          audits.map((audit) => ({
            event_id: audit.eventId,
            tenant_id: audit.tenantId,
            event_kind: audit.kind,
            policy_version: audit.policyVersion,
            key_id: audit.keyId,
            counts: JSON.stringify(audit.counts),
          })),
        )
        .onConflict((oc) => oc.column('event_id').doNothing())
        .execute();
    },
  };
}
