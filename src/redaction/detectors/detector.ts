/**
 * The free-text detector seam: the second line of defence after the structured allow-lists. A
 * detector finds where personal data of one kind sits in a string and says which placeholder
 * replaces it; it never returns or keeps the matched text itself. Detectors are pure and
 * stateless: no I/O, no vendor packages, safe to share across events.
 */

/** The kinds of personal data found by their shape (and checksum); the test corpora generate these. */
export const PATTERN_DETECTOR_NAMES = ['email', 'phone', 'payment_card', 'iban', 'us_ssn', 'uk_nino', 'ip_address'] as const;
export type PatternDetectorName = (typeof PATTERN_DETECTOR_NAMES)[number];
/** Every detector the redactor and the pre-send gate share; the audit counts and the gate use these names. */
export const DETECTOR_NAMES = [...PATTERN_DETECTOR_NAMES, 'person_name'] as const;
/** `deny_list`: a tenant's own names and terms, applied by the redactor (see names/deny-list.ts). */
export type DetectorName = (typeof DETECTOR_NAMES)[number] | 'deny_list';

/** Where a finding sits in the text: [start, end) in UTF-16 code units. Never the value itself. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export interface Detector {
  readonly name: DetectorName;
  /** What replaces a finding in scrubbed text, e.g. `[EMAIL]`. */
  readonly placeholder: string;
  /** Every non-overlapping finding, in order of position. Must run in linear time on any input. */
  find(text: string): Span[];
}
