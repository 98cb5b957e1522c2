import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';

/** A command line a standalone simulator cannot run with; the message names the argument. */
export class SimulatorUsageError extends Error {
  override readonly name = 'SimulatorUsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** `parseArgs` in strict mode (unknown flags and positionals fail) throwing {@link SimulatorUsageError}. */
export function parseStrictArgs<O extends Options>(argv: readonly string[], options: O) {
  try {
    return parseArgs({ args: [...argv], strict: true, allowPositionals: false, options }).values;
  } catch (error) {
    // parseArgs names the offending flag ("Unknown option '--prot'"); keep its first sentence.
    const message = error instanceof Error ? (error.message.split('. ')[0] ?? error.message) : String(error);
    throw new SimulatorUsageError(message);
  }
}

/** An integer flag in [min, max]; undefined when absent. */
export function parseIntFlag(flag: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new SimulatorUsageError(`--${flag} must be an integer between ${min} and ${max}, got '${raw}'`);
  }
  return Number(raw);
}

export interface StandaloneSpec<O> {
  /** `benevity simulator`: prefixes the listening line and every error. */
  readonly label: string;
  readonly usage: string;
  readonly parse: (argv: readonly string[]) => O & { readonly help: boolean };
  readonly start: (options: O) => Promise<{ readonly url: string; close(): Promise<void> }>;
}

/**
 * Runs a standalone simulator: prints `<label> listening on <url>` once, exits 0 on SIGTERM/SIGINT,
 * 2 on a bad command line, 1 when it cannot start.
 */
export function runStandalone<O>(spec: StandaloneSpec<O>, argv: readonly string[]): void {
  const main = async (): Promise<void> => {
    const { help, ...options } = spec.parse(argv);
    if (help) {
      process.stdout.write(`${spec.usage}\n`);
      return;
    }
    const simulator = await spec.start(options as O);
    let stopping = false;
    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      simulator.close().then(
        () => process.exit(0),
        (error: unknown) => {
          process.stderr.write(`${spec.label}: close failed: ${String(error)}\n`);
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    process.stdout.write(`${spec.label} listening on ${simulator.url}\n`);
  };
  main().catch((error: unknown) => {
    if (error instanceof SimulatorUsageError) {
      process.stderr.write(`${spec.label}: ${error.message}\n${spec.usage}\n`);
      process.exit(2);
    }
    process.stderr.write(`${spec.label}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
