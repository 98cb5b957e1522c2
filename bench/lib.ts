/**
 * Shared by the micro-benchmarks: a fixed-time measurement loop over a set of inputs (warm-up,
 * then wall and CPU time per operation) and a plain-text table. Figures, never assertions.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

/** The value after `--name` on the command line, or `fallback` when the flag is absent. */
export function flag(name: string, fallback: string, argv: readonly string[] = process.argv): string {
  const at = argv.indexOf(`--${name}`);
  return at > 0 ? (argv[at + 1] ?? fallback) : fallback;
}

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

/** Nearest-rank percentiles of `values` (e.g. `[50, 95, 99]`); NaN for none. */
export function percentiles(values: readonly number[], ps: readonly number[]): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  return ps.map((p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN);
}

/** User+system CPU of another process, all its threads, in µs (Linux /proc; 10 ms resolution). */
export function processCpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are the 14th and 15th of the line.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticksPerSecond = 100; // USER_HZ on Linux
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / ticksPerSecond;
}

/** A process's peak resident memory so far (VmHWM), in MB. */
export function processPeakRssMb(pid: number): number {
  const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? Number.NaN);
  return Math.round(kb / 1024);
}

/** Busy and total CPU time of the whole machine, every core and every process (/proc/stat, ticks). */
export function machineCpu(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  return { busy: total - fields[3]! - fields[4]!, total }; // idle and iowait are not busy
}

/** A process's resident set now (`VmRSS`) and its peak so far (`VmHWM`), in KiB (Linux /proc). */
export function processMemoryKb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

/** User+system CPU of this process, µs. */
export function selfCpuMicros(): number {
  const used = process.cpuUsage();
  return used.user + used.system;
}

/** Where the end-to-end benches keep their reports and CPU profiles. */
export const BENCH_LOG_DIR = join(new URL('../', import.meta.url).pathname, '.stack', 'logs', 'bench');
