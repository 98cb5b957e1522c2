import { SimulatorUsageError, parseIntFlag, parseStrictArgs } from '../common/cli.ts';
import type { WorkdayTenantCredentials } from './workday.auth.ts';
import type { WorkdaySimulatorOptions } from './workday.simulator.ts';

export const WORKDAY_USAGE = `usage: node src/simulators/workday/main.ts [--host 127.0.0.1] [--port 4030]
       [--tenant TENANT=CLIENT_ID:CLIENT_SECRET:REFRESH_TOKEN]... [--no-client-credentials]
       [--token-ttl-seconds 3600] [--rate-limit-per-minute N]`;

export { SimulatorUsageError as UsageError };

export interface WorkdayCliOptions extends WorkdaySimulatorOptions {
  readonly help: boolean;
}

function parseTenants(raw: readonly string[] | undefined): Record<string, WorkdayTenantCredentials> | undefined {
  if (raw === undefined || raw.length === 0) return undefined;
  const tenants: Record<string, WorkdayTenantCredentials> = {};
  for (const spec of raw) {
    const separator = spec.indexOf('=');
    const parts = separator <= 0 ? [] : spec.slice(separator + 1).split(':');
    const [clientId, clientSecret, refreshToken] = parts;
    if (parts.length !== 3 || !clientId || !clientSecret || !refreshToken) {
      // The value holds secrets: say what is wrong, never echo it.
      throw new SimulatorUsageError('--tenant must look like TENANT=CLIENT_ID:CLIENT_SECRET:REFRESH_TOKEN (none empty)');
    }
    tenants[spec.slice(0, separator)] = { clientId, clientSecret, refreshToken };
  }
  return tenants;
}

/** Parses the standalone simulator's flags (strict: unknown flags and positionals fail). */
export function parseWorkdayArgs(argv: readonly string[]): WorkdayCliOptions {
  const values = parseStrictArgs(argv, {
    host: { type: 'string' },
    port: { type: 'string' },
    tenant: { type: 'string', multiple: true },
    'no-client-credentials': { type: 'boolean' },
    'token-ttl-seconds': { type: 'string' },
    'rate-limit-per-minute': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  const port = parseIntFlag('port', values.port, 0, 65_535);
  const tokenTtlSeconds = parseIntFlag('token-ttl-seconds', values['token-ttl-seconds'], 1, 86_400);
  const rateLimitPerMinute = parseIntFlag('rate-limit-per-minute', values['rate-limit-per-minute'], 0, 1_000_000);
  const tenants = parseTenants(values.tenant);
  return {
    help: values.help ?? false,
    ...(values.host === undefined ? {} : { host: values.host }),
    ...(port === undefined ? {} : { port }),
    ...(tenants === undefined ? {} : { tenants }),
    ...(values['no-client-credentials'] === true ? { allowClientCredentials: false } : {}),
    ...(tokenTtlSeconds === undefined ? {} : { tokenTtlSeconds }),
    ...(rateLimitPerMinute === undefined ? {} : { rateLimitPerMinute }),
  };
}
