/**
 * The free-text PII detectors and the two operations built on them: `scrubText` for the redactor
 * (replace every finding with its placeholder, count per detector) and `scanValue` for the
 * pre-send gate (where in a JSON value personal data still sits — paths and detector names, never
 * the values).
 */
import type { Detector, DetectorName } from './detector.ts';
import { emailDetector } from './email.ts';
import { ibanDetector } from './iban.ts';
import { ipAddressDetector } from './ip-address.ts';
import { paymentCardDetector } from './payment-card.ts';
import { phoneDetector } from './phone.ts';
import { resolveFindings, type ResolvedFinding } from './resolve.ts';
import { ukNinoDetector } from './uk-nino.ts';
import { createNameDetector } from '../names/name-detector.ts';
import { fakerNameLists } from '../names/faker/faker-name-lists.ts';
import { usSsnDetector } from './us-ssn.ts';

export type { Detector, DetectorName, PatternDetectorName, Span } from './detector.ts';
export { DETECTOR_NAMES, PATTERN_DETECTOR_NAMES } from './detector.ts';

/** Other people's names, from the name lists of @faker-js/faker (loaded on first use). */
export const nameDetector: Detector = createNameDetector(fakerNameLists);
export {
  emailDetector,
  ibanDetector,
  ipAddressDetector,
  paymentCardDetector,
  phoneDetector,
  ukNinoDetector,
  usSsnDetector,
};

/**
 * Every detector, in the order that breaks ties between overlapping findings of equal length:
 * the specific, checksum-validated kinds (IBAN, card) before the shape-only ones, phone next to
 * last because almost any other number can be phone-shaped, then people's names.
 */
export const DETECTORS: readonly Detector[] = Object.freeze([
  emailDetector,
  ibanDetector,
  paymentCardDetector,
  usSsnDetector,
  ukNinoDetector,
  ipAddressDetector,
  phoneDetector,
  nameDetector,
]);

export interface ScrubResult {
  readonly text: string;
  /** How many findings of each detector were replaced; detectors with none are absent. */
  readonly counts: Partial<Record<DetectorName, number>>;
}

function scrubWith(text: string, findings: readonly ResolvedFinding[]): ScrubResult {
  if (findings.length === 0) return { text, counts: {} };
  const counts: Partial<Record<DetectorName, number>> = {};
  let out = '';
  let last = 0;
  for (const { start, end, detector } of findings) {
    out += text.slice(last, start) + detector.placeholder;
    last = end;
    counts[detector.name] = (counts[detector.name] ?? 0) + 1;
  }
  return { text: out + text.slice(last), counts };
}

/**
 * Replace every finding with its detector's placeholder; overlapping findings are replaced once.
 * `extra` detectors (the event subject's own name, email and phone; the tenant's deny-list) run
 * with the shared ones.
 */
export function scrubText(text: string, extra: readonly Detector[] = []): ScrubResult {
  return scrubWith(text, resolveFindings(text, extra.length === 0 ? DETECTORS : [...DETECTORS, ...extra]));
}

/** `scrubText` with a detector list made once (`withDetectors`), for many strings of one event. */
export function scrubTextWith(text: string, detectors: readonly Detector[]): ScrubResult {
  return scrubWith(text, resolveFindings(text, detectors));
}

/** The shared detectors followed by `extra`. */
export function withDetectors(extra: readonly Detector[]): readonly Detector[] {
  return extra.length === 0 ? DETECTORS : [...DETECTORS, ...extra];
}

function namesOf(findings: readonly ResolvedFinding[]): DetectorName[] {
  const names: DetectorName[] = [];
  for (const { detector } of findings) if (!names.includes(detector.name)) names.push(detector.name);
  return names;
}

/** Which detectors find something in `text` (names only, each once, in position order). */
export function detectIn(text: string): DetectorName[] {
  return namesOf(resolveFindings(text, DETECTORS));
}

export interface ValueFinding {
  /**
   * JSON path of the string: `a.b[2].c`, `["odd key"]` for keys that are not identifiers. A key
   * that itself holds personal data appears scrubbed (`metadata["[EMAIL]"]`), never verbatim.
   */
  readonly path: string;
  readonly detector: DetectorName;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** The path segment of `key` under `parent`; a key holding personal data appears scrubbed. */
function keySegment(parent: string, safeKey: string): string {
  if (IDENTIFIER.test(safeKey)) return parent === '' ? safeKey : `${parent}.${safeKey}`;
  return `${parent}[${JSON.stringify(safeKey)}]`;
}

/**
 * Walk strings (and integers, which a card number can hide in) in nested objects and arrays,
 * keys included, and report each (path, detector) with a finding once. For the pre-send gate: the
 * result names where personal data is and what kind, never the value.
 */
export function scanValue(value: unknown, path = ''): ValueFinding[] {
  const findings: ValueFinding[] = [];
  const seen = new Set<string>();
  const report = (at: string, names: readonly DetectorName[]) => {
    for (const name of names) {
      const id = `${at}\u0000${name}`;
      if (!seen.has(id)) {
        seen.add(id);
        findings.push({ path: at, detector: name });
      }
    }
  };
  // Objects on the current path: a cycle is walked once, not forever.
  const ancestors = new Set<object>();
  const walk = (node: unknown, at: string): void => {
    if (typeof node === 'string') {
      report(at, detectIn(node));
    } else if ((typeof node === 'number' && Number.isInteger(node)) || typeof node === 'bigint') {
      report(at, detectIn(String(node)));
    } else if (Array.isArray(node)) {
      if (ancestors.has(node)) return;
      ancestors.add(node);
      node.forEach((item, index) => walk(item, `${at}[${index}]`));
      ancestors.delete(node);
    } else if (node !== null && typeof node === 'object') {
      if (ancestors.has(node)) return;
      ancestors.add(node);
      for (const [key, child] of Object.entries(node)) {
        const inKey = resolveFindings(key, DETECTORS);
        const childPath = keySegment(at, scrubWith(key, inKey).text);
        report(childPath, namesOf(inKey));
        walk(child, childPath);
      }
      ancestors.delete(node);
    }
  };
  walk(value, path);
  return findings;
}
