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
import { cpus } from 'node:os';
import { scrubText } from '../src/redaction/detectors/index.ts';
import { cleanCorpus } from '../test/fixtures/pii/clean-corpus.ts';
import { embedInSentence, generatePiiCorpus, seededRandom } from '../test/fixtures/pii/generate.ts';

const secondsArg = process.argv.indexOf('--seconds');
const MEASURE_MS = (secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 2) * 1000;
const WARMUP_MS = Math.min(1000, MEASURE_MS / 2);

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

interface Result {
  readonly name: string;
  readonly texts: number;
  readonly avgChars: number;
  readonly opsPerSec: number;
  readonly wallMicros: number;
  readonly cpuMicros: number;
  readonly mbPerSec: number;
}

let sink = 0;

function run(texts: readonly string[], ms: number): { ops: number; chars: number; wallNs: bigint; cpuMicros: number } {
  let ops = 0;
  let chars = 0;
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(ms * 1e6));
  let now = start;
  while (now < deadline) {
    // A whole pass between clock reads keeps the timer out of the per-text cost.
    for (const text of texts) {
      sink += scrubText(text).text.length;
      chars += text.length;
    }
    ops += texts.length;
    now = process.hrtime.bigint();
  }
  const cpu = process.cpuUsage(cpuStart);
  return { ops, chars, wallNs: now - start, cpuMicros: cpu.user + cpu.system };
}

function measure({ name, texts }: Scenario): Result {
  run(texts, WARMUP_MS);
  const { ops, chars, wallNs, cpuMicros } = run(texts, MEASURE_MS);
  const wallSeconds = Number(wallNs) / 1e9;
  return {
    name,
    texts: texts.length,
    avgChars: texts.reduce((n, t) => n + t.length, 0) / texts.length,
    opsPerSec: ops / wallSeconds,
    wallMicros: (wallSeconds * 1e6) / ops,
    cpuMicros: cpuMicros / ops,
    mbPerSec: chars / wallSeconds / 1e6,
  };
}

const results = scenarios.map(measure);

const header = ['scenario', 'texts', 'avg chars', 'ops/s', 'µs/text', 'CPU µs/text', 'MB/s'];
const rows = results.map((r) => [
  r.name,
  String(r.texts),
  r.avgChars.toFixed(0),
  Math.round(r.opsPerSec).toLocaleString('en-GB'),
  r.wallMicros.toFixed(2),
  r.cpuMicros.toFixed(2),
  r.mbPerSec.toFixed(1),
]);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');

process.stdout.write(
  `scrubText — node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, one thread, ` +
    `${WARMUP_MS / 1000} s warm-up + ${MEASURE_MS / 1000} s per scenario\n\n`,
);
process.stdout.write(`${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
for (const row of rows) process.stdout.write(`${line(row)}\n`);
if (sink === 0) process.stdout.write('(no output)\n');
