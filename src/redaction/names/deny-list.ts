/**
 * A tenant's deny-list: names and terms its events must never carry out (people the name lists
 * do not know, code names), stored with the tenant's policy in PostgreSQL and removed by the
 * redactor from every string as `[REDACTED]`, case- and diacritic-insensitively, as whole words.
 */
import type { Detector } from '../detectors/detector.ts';
import { createTermDetector } from './term-detector.ts';

// A tenant's list is the same array for as long as its policy is cached: fold its terms once.
const built = new WeakMap<readonly string[], Detector>();

export function denyListDetector(terms: readonly string[] | undefined): Detector | undefined {
  if (terms === undefined || terms.length === 0) return undefined;
  let detector = built.get(terms);
  if (!detector) {
    detector = createTermDetector('deny_list', '[REDACTED]', terms);
    built.set(terms, detector);
  }
  return detector;
}
