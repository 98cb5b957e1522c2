import { parseArgs } from 'node:util';
import type { GooderaSimulatorOptions } from './goodera.simulator.ts';

export const GOODERA_USAGE = `usage: node src/simulators/goodera/main.ts [--host 127.0.0.1] [--port 4010]
       [--api-key KEY=tenant]... [--rate-limit-per-minute N]`;

/** A command line the simulator cannot run with; the message says which argument and why. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface GooderaCliOptions extends GooderaSimulatorOptions {
  readonly help: boolean;
}

function parseNonNegativeInt(flag: string, raw: string | undefined, max: number): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) > max) {
    throw new UsageError(`--${flag} must be an integer between 0 and ${max}, got '${raw}'`);
  }
  return Number(raw);
}

function parseApiKeys(raw: readonly string[] | undefined): Record<string, string> | undefined {
  if (raw === undefined || raw.length === 0) return undefined;
  const keys: Record<string, string> = {};
  for (const pair of raw) {
    const separator = pair.indexOf('=');
    if (separator <= 0 || separator === pair.length - 1) {
      // The value is a secret: say what is wrong, never echo it.
      throw new UsageError('--api-key must look like KEY=tenant (both sides non-empty)');
    }
    keys[pair.slice(0, separator)] = pair.slice(separator + 1);
  }
  return keys;
}

/** Parses the standalone simulator's flags (strict: unknown flags and positionals fail). */
export function parseGooderaArgs(argv: readonly string[]): GooderaCliOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        'api-key': { type: 'string', multiple: true },
        'rate-limit-per-minute': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    // parseArgs names the offending flag ("Unknown option '--prot'"); keep its first sentence.
    const message = error instanceof Error ? (error.message.split('. ')[0] ?? error.message) : String(error);
    throw new UsageError(message);
  }
  const port = parseNonNegativeInt('port', values.port, 65_535);
  const rateLimitPerMinute = parseNonNegativeInt('rate-limit-per-minute', values['rate-limit-per-minute'], 1_000_000);
  const apiKeys = parseApiKeys(values['api-key']);
  return {
    help: values.help ?? false,
    ...(values.host === undefined ? {} : { host: values.host }),
    ...(port === undefined ? {} : { port }),
    ...(apiKeys === undefined ? {} : { apiKeys }),
    ...(rateLimitPerMinute === undefined ? {} : { rateLimitPerMinute }),
  };
}
