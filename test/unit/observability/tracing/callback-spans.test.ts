import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { jobRecordHeaders, traceCallback } from '../../../../src/observability/tracing/callback-spans.ts';
import { installProvider, TRACE_ID, TRACEPARENT } from './provider.ts';

const tracing = installProvider();
afterAll(() => tracing.uninstall());
beforeEach(() => tracing.exporter.reset());

describe('traceCallback and jobRecordHeaders', () => {
  it('record a completed job record in its event’s trace, linked both ways with the callback span', async () => {
    let headers: Record<string, string> = {};
    const handler = traceCallback('benevity', async () => {
      headers = jobRecordHeaders({ traceparent: TRACEPARENT }, { eventId: 'e1', tenantId: 'acme', platform: 'benevity', jobId: 'j1', status: 'delivered' });
      return { status: 200, code: 'completed', body: {} };
    });
    await handler({ target: 'acme', headers: {}, rawBody: Buffer.from('{}') });
    const [record, callback] = tracing.exporter.getFinishedSpans();
    expect(record!.spanContext().traceId).toBe(TRACE_ID);
    expect(record!.attributes).toMatchObject({ delivery_id: 'e1:benevity', 'impactin.job_id': 'j1', outcome: 'delivered' });
    expect(record!.links.map((l) => l.context.spanId)).toEqual([callback!.spanContext().spanId]);
    expect(callback!.spanContext().traceId).not.toBe(TRACE_ID);
    expect(callback!.links.map((l) => l.context.traceId)).toEqual([TRACE_ID]);
    expect(callback!.attributes).toMatchObject({ 'http.response.status_code': 200, outcome: 'completed', tenant_id: 'acme' });
    expect(headers.traceparent).toContain(record!.spanContext().spanId);
  });
});
