/**
 * Shared by the micro-benchmarks: a fixed-time measurement loop over a set of inputs (warm-up,
 * then wall and CPU time per operation) and a plain-text table. Figures, never assertions.
 */
import { cpus } from 'node:os';

export interface BenchOptions {
  readonly measureMs: number;
  readonly warmupMs: number;
}

/** `--seconds N` from the command line (default 2 s per scenario, warm-up half of it, ≤ 1 s). */
export function benchOptions(argv: readonly string[] = process.argv): BenchOptions {
  const at = argv.indexOf('--seconds');
  const measureMs = (at > 0 ? Number(argv[at + 1]) : 2) * 1000;
  if (!Number.isFinite(measureMs) || measureMs <= 0) throw new Error('--seconds must be a positive number');
  return { measureMs, warmupMs: Math.min(1000, measureMs / 2) };
}

export interface Measurement {
  readonly ops: number;
  readonly opsPerSec: number;
  readonly wallMicros: number;
  readonly cpuMicros: number;
  readonly wallSeconds: number;
}

// Results are folded into module state the engine cannot prove unused.
let sink = 0;
export const consumed = () => sink;

function loop<T>(inputs: readonly T[], fn: (input: T) => number, ms: number) {
  let ops = 0;
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(ms * 1e6));
  let now = start;
  while (now < deadline) {
    // A whole pass between clock reads keeps the timer out of the per-operation cost.
    for (const input of inputs) sink += fn(input);
    ops += inputs.length;
    now = process.hrtime.bigint();
  }
  const cpu = process.cpuUsage(cpuStart);
  return { ops, wallNs: now - start, cpuMicros: cpu.user + cpu.system };
}

/** Runs `fn` over `inputs` for the warm-up, then measures it. `fn` returns a number to consume. */
export function measure<T>(inputs: readonly T[], fn: (input: T) => number, options: BenchOptions): Measurement {
  loop(inputs, fn, options.warmupMs);
  const { ops, wallNs, cpuMicros } = loop(inputs, fn, options.measureMs);
  const wallSeconds = Number(wallNs) / 1e9;
  return { ops, opsPerSec: ops / wallSeconds, wallMicros: (wallSeconds * 1e6) / ops, cpuMicros: cpuMicros / ops, wallSeconds };
}

/** The first line of every report: what ran where. */
export function benchHeader(what: string, options: BenchOptions): string {
  return (
    `${what} — node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, one thread, ` +
    `${options.warmupMs / 1000} s warm-up + ${options.measureMs / 1000} s per scenario\n\n`
  );
}

/** A right-aligned table with a left-aligned first column. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  return `${out.join('\n')}\n`;
}

export const formatRate = (n: number) => Math.round(n).toLocaleString('en-GB');
