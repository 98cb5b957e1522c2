/**
 * Throughput of scrubText, the per-event cost of the free-text detectors. A plain Node script:
 *
 *   node bench/detectors.bench.ts [--seconds 2]
 *
 * Runs on the one JavaScript thread (pin it with `taskset -c 0 node …` for steadier figures).
 * Each scenario is warmed up, then measured for a fixed time: ops/s and µs per text of wall
 * time, and CPU time per text (process.cpuUsage, user + system). The adversarial scenarios are
 * inputs built to make careless regexes backtrack; they must stay in the same order of magnitude
 * as ordinary text of the same length.
 */
import { scrubText } from '../src/redaction/detectors/index.ts';
import { cleanCorpus } from '../test/fixtures/pii/clean-corpus.ts';
import { embedInSentence, generatePiiCorpus, seededRandom } from '../test/fixtures/pii/generate.ts';
import { benchHeader, benchOptions, formatRate, measure, table } from './lib.ts';

const options = benchOptions();

interface Scenario {
  readonly name: string;
  readonly texts: readonly string[];
}

const random = seededRandom(42);
const clean = cleanCorpus({ seed: 7, size: 2_400 });
const pii = generatePiiCorpus({ seed: 20261128, perFormat: 20 }).map((s) => embedInSentence(s.embed, random));
const mixed: string[] = [];
for (let i = 0; i < 2_400; i++) mixed.push(i % 5 === 0 ? pii[i % pii.length]! : clean[i % clean.length]!);
const long = Array.from({ length: 50 }, (_, i) => {
  let text = '';
  for (let k = i; text.length < 3_800; k += 7) text += `${clean[k % clean.length]} ${k % 9 === 0 ? `${pii[k % pii.length]} ` : ''}`;
  return text.slice(0, 4_000);
});
const adversarial = [
  `${'a'.repeat(3_990)}@x`,
  '@'.repeat(4_000),
  `${'a.'.repeat(1_000)}@${'b.'.repeat(990)}`,
  '1 '.repeat(2_000),
  '1-'.repeat(2_000),
  '1.'.repeat(2_000),
  ':'.repeat(4_000),
  '1:'.repeat(2_000),
  'AB12 '.repeat(800),
  `${'0'.repeat(3_999)}x`,
  `john ${'dot smith '.repeat(380)}at example`,
  `${'x [at] '.repeat(570)}`,
];

const scenarios: Scenario[] = [
  { name: 'clean corpus', texts: clean },
  { name: 'PII sentences', texts: pii },
  { name: 'mixed 80/20', texts: mixed },
  { name: 'long 4 kB notes', texts: long },
  { name: 'adversarial 4 kB', texts: adversarial },
];

const rows = scenarios.map(({ name, texts }) => {
  const m = measure(texts, (text) => scrubText(text).text.length, options);
  const chars = texts.reduce((n, t) => n + t.length, 0);
  return [
    name,
    String(texts.length),
    (chars / texts.length).toFixed(0),
    formatRate(m.opsPerSec),
    m.wallMicros.toFixed(2),
    m.cpuMicros.toFixed(2),
    ((m.opsPerSec * chars) / texts.length / 1e6).toFixed(1),
  ];
});

process.stdout.write(benchHeader('scrubText', options));
process.stdout.write(table(['scenario', 'texts', 'avg chars', 'ops/s', 'µs/text', 'CPU µs/text', 'MB/s'], rows));
