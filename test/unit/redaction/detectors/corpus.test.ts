/**
 * Recall and false positives on the generated corpora: every seeded PII value, embedded in a
 * sentence, is found whole by the right detector and gone from the scrubbed text; and the clean
 * corpus stays (almost) untouched. The figures are printed for the report.
 */
import { describe, expect, it } from 'vitest';
import {
  DETECTORS,
  PATTERN_DETECTOR_NAMES as DETECTOR_NAMES,
  scrubText,
  type DetectorName,
} from '../../../../src/redaction/detectors/index.ts';
import { resolveFindings } from '../../../../src/redaction/detectors/resolve.ts';
import { cleanCorpus } from '../../../fixtures/pii/clean-corpus.ts';
import { SURROUNDING_NAMES, surround } from '../../../fixtures/pii/surroundings.ts';
import {
  PII_FORMATS,
  embedInSentence,
  generatePiiCorpus,
  piiText,
  seedFields,
  seededRandom,
  type PiiSample,
} from '../../../fixtures/pii/generate.ts';

const MAX_FALSE_POSITIVE_RATE = 0.005;

const samples = generatePiiCorpus({ seed: 20261128, perFormat: 40 });
const clean = cleanCorpus({ seed: 7, size: 2_400 });

const placeholderOf = (name: DetectorName) => DETECTORS.find((d) => d.name === name)!.placeholder;

interface Miss {
  readonly format: string;
  readonly text: string;
  readonly why: string;
}

function check(sample: PiiSample, text: string): string | undefined {
  const at = text.indexOf(sample.embed) + sample.embed.indexOf(sample.value);
  const findings = resolveFindings(text, DETECTORS);
  const covering = findings.find((f) => f.start <= at && f.end >= at + sample.value.length);
  if (!covering) return 'not found whole';
  if (covering.detector.name !== sample.detector) return `found as ${covering.detector.name}`;
  const scrubbed = scrubText(text);
  if (scrubbed.text.includes(sample.value)) return 'still in the scrubbed text';
  if (!scrubbed.text.includes(placeholderOf(sample.detector))) return 'placeholder missing';
  if ((scrubbed.counts[sample.detector] ?? 0) < 1) return 'not counted';
  return undefined;
}

describe('recall on the generated PII corpus', () => {
  it('covers every detector with several formats, thousands of values in all', () => {
    expect(samples.length).toBeGreaterThanOrEqual(2_000);
    for (const name of DETECTOR_NAMES) {
      expect(PII_FORMATS[name].length).toBeGreaterThanOrEqual(3);
      expect(samples.filter((s) => s.detector === name).length).toBeGreaterThanOrEqual(100);
    }
  });

  it('finds and removes every value, embedded in a sentence — 100% per detector', () => {
    const random = seededRandom(99);
    const misses: Partial<Record<DetectorName, Miss[]>> = {};
    const totals: Partial<Record<DetectorName, number>> = {};
    for (const sample of samples) {
      const text = embedInSentence(sample.embed, random);
      totals[sample.detector] = (totals[sample.detector] ?? 0) + 1;
      const why = check(sample, text);
      if (why) (misses[sample.detector] ??= []).push({ format: sample.format, text, why });
    }
    const lines = DETECTOR_NAMES.map((name) => {
      const total = totals[name] ?? 0;
      const missed = misses[name]?.length ?? 0;
      return `  ${name.padEnd(13)} ${String(total - missed).padStart(5)}/${String(total).padEnd(5)} ${(((total - missed) / total) * 100).toFixed(2)}%`;
    });
    process.stdout.write(`\nPII recall (${samples.length} values embedded in sentences):\n${lines.join('\n')}\n`);
    expect(misses).toEqual({});
  });

  it('finds every value glued to punctuation, in URLs, paths and ids — every surrounding, 100%', () => {
    expect(SURROUNDING_NAMES.length).toBeGreaterThanOrEqual(15);
    const missed: string[] = [];
    // Every third value (every format is still there): the full product runs in bench/pii-eval.bench.ts.
    const some = samples.filter((_, i) => i % 3 === 0);
    for (const sample of some) {
      for (const name of SURROUNDING_NAMES) {
        const text = surround(name, sample.embed);
        const at = text.indexOf(sample.embed) + sample.embed.indexOf(sample.value);
        const covering = resolveFindings(text, DETECTORS).find((f) => f.start <= at && f.end >= at + sample.value.length);
        if (covering?.detector.name !== sample.detector) missed.push(`${sample.detector}/${sample.format}/${name}: ${text}`);
      }
    }
    const total = some.length * SURROUNDING_NAMES.length;
    process.stdout.write(`\nPII recall in ${SURROUNDING_NAMES.length} surroundings: ${total - missed.length}/${total}\n`);
    expect(missed.slice(0, 20)).toEqual([]);
  }, 60_000);

  it('also finds the bare values, with nothing around them', () => {
    const missed = samples.filter((s) => check(s, s.embed) !== undefined).map((s) => `${s.detector}/${s.format}: ${s.embed}`);
    expect(missed).toEqual([]);
  });
});

describe('false positives on the clean corpus', () => {
  it('is large and reproducible', () => {
    expect(clean.length).toBeGreaterThanOrEqual(2_000);
    expect(new Set(clean).size).toBeGreaterThan(1_500);
    expect(cleanCorpus({ seed: 7, size: 50 })).toEqual(clean.slice(0, 50));
  });

  it(`flags at most ${MAX_FALSE_POSITIVE_RATE * 100}% of clean strings`, () => {
    const flagged: { text: string; counts: unknown }[] = [];
    const perDetector: Partial<Record<DetectorName, number>> = {};
    for (const text of clean) {
      const { counts } = scrubText(text);
      const names = Object.keys(counts) as DetectorName[];
      if (names.length === 0) continue;
      flagged.push({ text, counts });
      for (const name of names) perDetector[name] = (perDetector[name] ?? 0) + 1;
    }
    const rate = flagged.length / clean.length;
    process.stdout.write(
      `\nFalse-positive rate on the clean corpus: ${flagged.length}/${clean.length} = ${(rate * 100).toFixed(3)}%` +
        ` ${JSON.stringify(perDetector)}\n`,
    );
    expect(rate, JSON.stringify(flagged.slice(0, 20), null, 2)).toBeLessThanOrEqual(MAX_FALSE_POSITIVE_RATE);
  });
});

describe('seeding API for other tests', () => {
  it('piiText keeps within a length limit and holds the sample', () => {
    const random = seededRandom(3);
    for (let i = 0; i < 200; i++) {
      const { text, sample } = piiText(random, { maxLength: 64 });
      expect(text.length).toBeLessThanOrEqual(64);
      expect(text).toContain(sample.embed);
    }
  });

  it('piiText can be held to one detector', () => {
    const random = seededRandom(4);
    for (let i = 0; i < 50; i++) expect(piiText(random, { detector: 'iban' }).sample.detector).toBe('iban');
  });

  it('seedFields puts a PII sentence into each named field and leaves the rest alone', () => {
    const payload = { programId: 'prg-1', outcome: 'sessions', notes: 'fine', value: 3 };
    const { record, samples: placed } = seedFields(payload, ['outcome', 'notes'], seededRandom(5), {
      maxLength: { outcome: 128 },
    });
    expect(record.programId).toBe('prg-1');
    expect(record.value).toBe(3);
    expect(record.outcome).toContain(placed.outcome!.embed);
    expect(record.outcome.length).toBeLessThanOrEqual(128);
    expect(record.notes).toContain(placed.notes!.embed);
    expect(payload.notes).toBe('fine');
    for (const field of ['outcome', 'notes'] as const) expect(scrubText(record[field]).counts).not.toEqual({});
  });
});
