/** The kafkajs client factory, with kafkajs' own logs routed into our structured logger. */
import { Kafka, logLevel, type LogEntry, type SASLOptions } from 'kafkajs';
import type { KafkaConfig } from '../../config/config.ts';
import type { Logger } from '../../observability/logger.ts';
import { levelOf, type Level } from './log-levels.ts';
import { patchKafkajsNegativeTimeout } from './node-warnings.ts';

const LEVELS: Record<number, Level> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

export function createKafka(config: KafkaConfig, clientId: string, logger: Logger): Kafka {
  patchKafkajsNegativeTimeout();
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: `${config.clientId}.${clientId}`,
    brokers: [...config.brokers],
    // Managed Kafka: TLS with the configured CA (and client certificate for mTLS), SASL over it.
    ...(config.security.tls ? { ssl: { ...config.security.tls } } : {}),
    ...(config.security.sasl ? { sasl: { ...config.security.sasl } as SASLOptions } : {}),
    connectionTimeout: 5_000,
    requestTimeout: 30_000,
    // Reconnect for as long as it takes: a broker restart delays work, it must not end the process.
    retry: { initialRetryTime: 300, maxRetryTime: 10_000, retries: 30 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...extra } = log;
        kafkaLogger[levelOf(LEVELS[level] ?? 'info', message, extra.error)](extra, message);
      },
  });
}
