/**
 * Overlap resolution. Detectors run independently and may find overlapping spans (a phone-shaped
 * digit run inside an IBAN, an email whose local part is a phone number). Overlapping findings
 * are merged into one cluster that is replaced once, as a whole — so no fragment of either value
 * survives — under the placeholder of the cluster's winner: the longest finding, then the
 * detector listed first, then the earliest.
 */
import type { Detector } from './detector.ts';

export interface ResolvedFinding {
  /** Start of the cluster (the union of overlapping findings). */
  readonly start: number;
  /** End of the cluster. */
  readonly end: number;
  readonly detector: Detector;
}

interface Candidate {
  readonly start: number;
  readonly end: number;
  readonly rank: number;
}

function beats(a: Candidate, b: Candidate): boolean {
  const la = a.end - a.start;
  const lb = b.end - b.start;
  if (la !== lb) return la > lb;
  if (a.rank !== b.rank) return a.rank < b.rank;
  return a.start < b.start;
}

/** All findings of `detectors` in `text`, clustered and ordered by position. */
export function resolveFindings(text: string, detectors: readonly Detector[]): ResolvedFinding[] {
  const candidates: Candidate[] = [];
  detectors.forEach((detector, rank) => {
    for (const span of detector.find(text)) {
      if (span.end > span.start) candidates.push({ start: span.start, end: span.end, rank });
    }
  });
  if (candidates.length === 0) return [];
  candidates.sort((a, b) => a.start - b.start || b.end - a.end);

  const resolved: ResolvedFinding[] = [];
  let cluster = candidates[0]!;
  let winner = cluster;
  let end = cluster.end;
  const close = () => resolved.push({ start: cluster.start, end, detector: detectors[winner.rank]! });
  for (let k = 1; k < candidates.length; k++) {
    const next = candidates[k]!;
    if (next.start < end) {
      if (beats(next, winner)) winner = next;
      if (next.end > end) end = next.end;
    } else {
      close();
      cluster = next;
      winner = next;
      end = next.end;
    }
  }
  close();
  return resolved;
}
