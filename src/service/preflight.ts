/**
 * Start-up checks that need no I/O, run before the first side effect (migrations, topics,
 * connections): a setting that can never work fails here, naming its variable, instead of after
 * the process has created topics and opened pools.
 */
import type { Config } from '../config/config.ts';
import { ImpactError } from '../domain/errors.ts';
import type { Platform } from '../domain/platform.ts';
import { assertOriginAllowed } from '../http/dispatcher.ts';
import type { Role } from './roles.ts';

/** The environment variable that holds each platform's base URL (for the error message). */
const BASE_URL_VARIABLE: Record<Platform, string> = {
  benevity: 'BENEVITY_BASE_URL',
  goodera: 'GOODERA_BASE_URL',
  workday: 'WORKDAY_BASE_URL',
};

export function preflight(config: Config, roles: readonly Role[]): void {
  for (const role of roles) {
    if (!role.startsWith('deliver:')) continue;
    const platform = role.slice('deliver:'.length) as Platform;
    const variable = BASE_URL_VARIABLE[platform];
    const url = new URL(config.platforms[platform].baseUrl);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new ImpactError('CONFIG_INVALID', `${variable}: must be an http(s) URL, got scheme ${url.protocol}`);
    }
    try {
      // A private IP literal is refused here; a host name is checked again after each DNS
      // lookup by the dispatcher (rebinding), which no start-up check can replace.
      assertOriginAllowed(url, config.http.allowPrivateHosts);
    } catch (error) {
      throw new ImpactError('CONFIG_INVALID', `${variable}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
