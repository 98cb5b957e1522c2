/** The connectors impact-in has, by platform. Adding a platform is one entry here. */
import type { Dispatcher } from 'undici';
import type { Config } from '../config/config.ts';
import type { Platform } from '../domain/platform.ts';
import type { PreSendGate } from '../redaction/pre-send-gate.ts';
import type { Connector } from './connector.ts';
import { createGooderaConnector } from './goodera/goodera.connector.ts';
import { gooderaCredentialsSchema } from './goodera/goodera.schema.ts';
import type { z } from 'zod';

/** What every connector is built with: the one outbound dispatcher and the pre-send gate. */
export interface ConnectorDeps {
  readonly dispatcher: Dispatcher;
  readonly gate: PreSendGate;
}

export interface ConnectorFactory {
  readonly credentials: z.ZodType<Record<string, unknown>>;
  create(config: Config, deps: ConnectorDeps): Connector;
}

export const CONNECTORS: Partial<Record<Platform, ConnectorFactory>> = {
  goodera: {
    credentials: gooderaCredentialsSchema,
    create: (config, deps) =>
      createGooderaConnector({
        baseUrl: config.platforms.goodera.baseUrl,
        dispatcher: deps.dispatcher,
        gate: deps.gate,
        allowPrivateHosts: config.http.allowPrivateHosts,
      }),
  },
};

export function availablePlatforms(): Platform[] {
  return Object.keys(CONNECTORS) as Platform[];
}
