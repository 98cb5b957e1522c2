import type { Detector } from '../../../../src/redaction/detectors/index.ts';

/** What a detector matched in `text`, as substrings (tests may look at values; src never returns them). */
export function matches(detector: Detector, text: string): string[] {
  return detector.find(text).map(({ start, end }) => text.slice(start, end));
}
