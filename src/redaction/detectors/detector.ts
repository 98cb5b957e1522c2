/**
 * The free-text detector seam: the second line of defence after the structured allow-lists. A
 * detector finds where personal data of one kind sits in a string and says which placeholder
 * replaces it; it never returns or keeps the matched text itself. Detectors are pure and
 * stateless: no I/O, no vendor packages, safe to share across events.
 */

/** The kinds of personal data the detectors recognise; the audit counts and the gate use these names. */
export const DETECTOR_NAMES = ['email', 'phone', 'payment_card', 'iban', 'us_ssn', 'uk_nino', 'ip_address'] as const;
export type DetectorName = (typeof DETECTOR_NAMES)[number];

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
