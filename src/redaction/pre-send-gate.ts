/**
 * The pre-send gate: the last look at the exact body a connector is about to send. Any finding of
 * the free-text detectors outside the paths the tenant's policy allows blocks the send. The error
 * names the paths and detectors — never the value — and is final: the delivery is dead-lettered
 * with code PII_BLOCKED rather than retried.
 */
import { ImpactError } from '../domain/errors.ts';
import { scanValue, type DetectorName } from './detectors/index.ts';

export interface GateAllowance {
  /** JSON path as reported by scanValue, e.g. `donor.email`. */
  readonly path: string;
  readonly detector: DetectorName;
}

export interface PreSendGate {
  /** Throws ImpactError PII_BLOCKED when `body` holds personal data not explicitly allowed. */
  check(platform: string, body: unknown, allowances?: readonly GateAllowance[]): void;
}

export function createPreSendGate(onBlocked: (platform: string, detectors: string[]) => void = () => undefined): PreSendGate {
  return {
    check(platform, body, allowances = []) {
      const findings = scanValue(body).filter(
        (finding) => !allowances.some((a) => a.path === finding.path && a.detector === finding.detector),
      );
      if (findings.length === 0) return;
      const detectors = [...new Set(findings.map((f) => f.detector))];
      onBlocked(platform, detectors);
      const where = findings.slice(0, 5).map((f) => `${f.path} (${f.detector})`).join(', ');
      throw new ImpactError('PII_BLOCKED', `pre-send gate blocked the ${platform} request: ${where}`);
    },
  };
}
