/**
 * Validates rendered custom resources (JSON files, one object each) against their CRD schemas:
 * KEDA's ScaledObject and TriggerAuthentication, prometheus-operator's ServiceMonitor, as generated
 * from the projects' CRDs by @kubernetes-models (versions pinned in package-lock.json).
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { ScaledObject, TriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'keda.sh/v1alpha1/ScaledObject': ScaledObject as never,
  'keda.sh/v1alpha1/TriggerAuthentication': TriggerAuthentication as never,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor as never,
};

let failed = 0;
for (const file of process.argv.slice(2)) {
  const object = JSON.parse(readFileSync(file, 'utf8')) as { apiVersion: string; kind: string };
  const Model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (!Model) {
    console.error(`${basename(file)}: no CRD schema for ${object.apiVersion} ${object.kind}`);
    failed++;
    continue;
  }
  try {
    new Model(object as never).validate();
  } catch (error) {
    console.error(`${basename(file)}: ${error instanceof Error ? error.message : String(error)}`);
    failed++;
  }
}
if (failed > 0) process.exit(1);
