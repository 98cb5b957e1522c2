import { SimulatorUsageError, parseIntFlag, parseStrictArgs } from '../common/cli.ts';
import type { BenevitySimulatorOptions } from './benevity.simulator.ts';

export const BENEVITY_USAGE = `usage: node src/simulators/benevity/main.ts [--host 127.0.0.1] [--port 4020]
       [--client CLIENT_ID=SECRET]... [--token-ttl-seconds 3600] [--import-delay-ms 100]
       [--callback-secret SECRET] [--callback-max-retries 5] [--callback-backoff-ms 100]`;

export { SimulatorUsageError as UsageError };

export interface BenevityCliOptions extends BenevitySimulatorOptions {
  readonly help: boolean;
}

function parseClients(raw: readonly string[] | undefined): Record<string, string> | undefined {
  if (raw === undefined || raw.length === 0) return undefined;
  const clients: Record<string, string> = {};
  for (const pair of raw) {
    const separator = pair.indexOf('=');
    if (separator <= 0 || separator === pair.length - 1) {
      // The value holds a secret: say what is wrong, never echo it.
      throw new SimulatorUsageError('--client must look like CLIENT_ID=SECRET (both sides non-empty)');
    }
    clients[pair.slice(0, separator)] = pair.slice(separator + 1);
  }
  return clients;
}

/** Parses the standalone simulator's flags (strict: unknown flags and positionals fail). */
export function parseBenevityArgs(argv: readonly string[]): BenevityCliOptions {
  const values = parseStrictArgs(argv, {
    host: { type: 'string' },
    port: { type: 'string' },
    client: { type: 'string', multiple: true },
    'token-ttl-seconds': { type: 'string' },
    'import-delay-ms': { type: 'string' },
    'callback-secret': { type: 'string' },
    'callback-max-retries': { type: 'string' },
    'callback-backoff-ms': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  const port = parseIntFlag('port', values.port, 0, 65_535);
  const tokenTtlSeconds = parseIntFlag('token-ttl-seconds', values['token-ttl-seconds'], 1, 86_400);
  const importDelayMs = parseIntFlag('import-delay-ms', values['import-delay-ms'], 0, 600_000);
  const callbackMaxRetries = parseIntFlag('callback-max-retries', values['callback-max-retries'], 0, 20);
  const callbackBackoffMs = parseIntFlag('callback-backoff-ms', values['callback-backoff-ms'], 0, 600_000);
  const clients = parseClients(values.client);
  const secret = values['callback-secret'];
  if (secret === '') throw new SimulatorUsageError('--callback-secret must not be empty');
  return {
    help: values.help ?? false,
    ...(values.host === undefined ? {} : { host: values.host }),
    ...(port === undefined ? {} : { port }),
    ...(clients === undefined ? {} : { clients }),
    ...(tokenTtlSeconds === undefined ? {} : { tokenTtlSeconds }),
    ...(importDelayMs === undefined ? {} : { importDelayMs }),
    ...(secret === undefined ? {} : { callbackSecret: secret }),
    ...(callbackMaxRetries === undefined ? {} : { callbackMaxRetries }),
    ...(callbackBackoffMs === undefined ? {} : { callbackBackoffMs }),
  };
}
