/** The connectors impact-in has, by platform. Adding a platform is one entry here. */
import type { Dispatcher } from 'undici';
import type { Config } from '../config/config.ts';
import type { Platform } from '../domain/platform.ts';
import type { Connector } from './connector.ts';
import { createGooderaConnector } from './goodera/goodera.connector.ts';
import { gooderaCredentialsSchema } from './goodera/goodera.schema.ts';
import type { z } from 'zod';

export interface ConnectorFactory {
  readonly credentials: z.ZodType<Record<string, unknown>>;
  create(config: Config, dispatcher: Dispatcher): Connector;
}

export const CONNECTORS: Partial<Record<Platform, ConnectorFactory>> = {
  goodera: {
    credentials: gooderaCredentialsSchema,
    create: (config, dispatcher) =>
      createGooderaConnector({
        baseUrl: config.platforms.goodera.baseUrl,
        dispatcher,
        allowPrivateHosts: config.http.allowPrivateHosts,
      }),
  },
};

export function availablePlatforms(): Platform[] {
  return Object.keys(CONNECTORS) as Platform[];
}
