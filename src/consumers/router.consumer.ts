/**
 * Routing stage: impact.events.redacted.v1 → one impact.deliver.<platform>.v1 topic per platform
 * the tenant reports to and the platform accepts, as a transactional transform (each event lands
 * on each of its platform topics exactly once). The redacted bytes are forwarded unchanged. An
 * unknown tenant is dead-lettered (it can be redriven once the tenant is configured); a failing
 * tenant lookup (PostgreSQL down) fails the chunk, which is retried — never dead-lettered.
 */
import type { AsyncCodec, Codec } from '../codec/codec.ts';
import { ImpactError, isImpactError } from '../domain/errors.ts';
import type { RedactedEvent } from '../domain/redacted-event.ts';
import { orderingKey } from '../domain/event.ts';
import { routeEvent } from '../domain/routing.ts';
import type { Platform } from '../domain/platform.ts';
import type { DeadLetters } from '../kafka/dead-letter.ts';
import type { BatchTransform, OutboundMessage } from '../kafka/ports.ts';
import type { Topics } from '../kafka/topics.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { TenantDirectory } from '../tenants/tenant-directory.ts';
import { passThroughHeaders } from './redactor.consumer.ts';

export interface RouterDeps {
  readonly topics: Topics;
  readonly codec: Codec<RedactedEvent> | AsyncCodec<RedactedEvent>;
  readonly tenants: TenantDirectory;
  readonly metrics: Metrics;
  readonly deadLetters: DeadLetters;
}

export const ROUTER_STAGE = 'router';

export function createRouterTransform(deps: RouterDeps): BatchTransform {
  return async (messages) => {
    const output: OutboundMessage[] = [];
    const routed: Platform[] = [];
    const counted: { dead: string[]; unrouted: string[] } = { dead: [], unrouted: [] };
    for (const message of messages) {
      try {
        const event = await deps.codec.decode(message.value);
        const enabled = await deps.tenants.enabledPlatforms(event.tenantId);
        if (enabled === null) throw new ImpactError('UNKNOWN_TENANT', `tenant ${event.tenantId} is not configured`);
        const platforms = routeEvent(event.kind, enabled);
        if (platforms.length === 0) counted.unrouted.push(enabled.length === 0 ? 'no_enabled_platform' : 'kind_not_accepted');
        const key = orderingKey(event);
        const headers = passThroughHeaders(message.headers);
        for (const platform of platforms) {
          output.push({ topic: deps.topics.deliver[platform], key, value: message.value!, headers });
          routed.push(platform);
        }
      } catch (error) {
        if (!isImpactError(error) || error.retryable) throw error;
        output.push(deps.deadLetters.message(deps.topics.redactedDlq, ROUTER_STAGE, message, error));
        counted.dead.push(error.code);
      }
    }
    for (const platform of routed) deps.metrics.routed.inc({ platform });
    for (const reason of counted.unrouted) deps.metrics.unrouted.inc({ reason });
    for (const code of counted.dead) deps.metrics.deadLetters.inc({ stage: ROUTER_STAGE, code });
    deps.metrics.messagesHandled.inc({ stage: ROUTER_STAGE }, messages.length);
    return output;
  };
}
