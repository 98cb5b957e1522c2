import { Registry } from 'prom-client';
import { expect, test } from 'vitest';
import { ERROR_CODES } from '../../../src/domain/errors.ts';
import { createMetrics, primeDeadLetters } from '../../../src/observability/metrics.ts';

test('every stage starts with a dead-letter series at 0 per error code, so the first dead letter is an increase', async () => {
  const registry = new Registry();
  const metrics = createMetrics(registry, { defaultMetrics: false });
  expect(await registry.getSingleMetricAsString('impactin_dead_letters_total')).not.toContain('stage="deliver.workday"');
  primeDeadLetters(metrics, ['redactor', 'deliver.workday']);
  const text = await registry.getSingleMetricAsString('impactin_dead_letters_total');
  for (const stage of ['redactor', 'deliver.workday']) {
    for (const code of Object.keys(ERROR_CODES)) expect(text).toContain(`impactin_dead_letters_total{stage="${stage}",code="${code}"} 0`);
  }
  metrics.deadLetters.inc({ stage: 'redactor', code: 'VALIDATION_FAILED' });
  expect(await registry.getSingleMetricAsString('impactin_dead_letters_total')).toContain('impactin_dead_letters_total{stage="redactor",code="VALIDATION_FAILED"} 1');
});
