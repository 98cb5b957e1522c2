/**
 * Routing stage: impact.events.redacted.v1 → one impact.deliver.<platform>.v1 topic per platform
 * the tenant reports to and the platform accepts. The redacted bytes are forwarded unchanged.
 * An unknown tenant is dead-lettered (it can be redriven once the tenant is configured).
 */
import type { Codec } from '../codec/codec.ts';
import { ImpactError, isImpactError } from '../domain/errors.ts';
import type { RedactedEvent } from '../domain/redacted-event.ts';
import { orderingKey } from '../domain/event.ts';
import { routeEvent } from '../domain/routing.ts';
import { deadLetterMessage } from '../kafka/dead-letter.ts';
import type { MessageHandler, MessageSink } from '../kafka/ports.ts';
import type { Topics } from '../kafka/topics.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { TenantDirectory } from '../tenants/tenant-directory.ts';
import { passThroughHeaders } from './redactor.consumer.ts';

export interface RouterDeps {
  readonly topics: Topics;
  readonly sink: MessageSink;
  readonly codec: Codec<RedactedEvent>;
  readonly tenants: TenantDirectory;
  readonly metrics: Metrics;
  readonly now?: () => Date;
}

export const ROUTER_STAGE = 'router';

export function createRouterHandler(deps: RouterDeps): MessageHandler {
  const now = deps.now ?? (() => new Date());
  return async (message) => {
    try {
      const event = deps.codec.decode(message.value);
      const enabled = await deps.tenants.enabledPlatforms(event.tenantId);
      if (enabled === null) throw new ImpactError('UNKNOWN_TENANT', `tenant ${event.tenantId} is not configured`);
      const platforms = routeEvent(event.kind, enabled);
      if (platforms.length === 0) {
        deps.metrics.unrouted.inc({ reason: enabled.length === 0 ? 'no_enabled_platform' : 'kind_not_accepted' });
      } else {
        const key = orderingKey(event);
        const headers = passThroughHeaders(message.headers);
        await deps.sink.send(
          platforms.map((platform) => ({ topic: deps.topics.deliver[platform], key, value: message.value!, headers })),
        );
        for (const platform of platforms) deps.metrics.routed.inc({ platform });
      }
    } catch (error) {
      // Only the event's own faults are dead-lettered; a failing dependency (PostgreSQL for the
      // tenant lookup, Kafka) rejects, and the consumer retries the message in place.
      if (!isImpactError(error) || error.retryable) throw error;
      await deps.sink.send([deadLetterMessage(deps.topics.redactedDlq, ROUTER_STAGE, message, error, now())]);
      deps.metrics.deadLetters.inc({ stage: ROUTER_STAGE, code: error.code });
    }
    deps.metrics.messagesHandled.inc({ stage: ROUTER_STAGE });
  };
}
