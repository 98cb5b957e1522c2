/** Reads an event's pseudonymous facts (id, tenant, kind) for span attributes, with the stage's own codec. */
import type { AsyncCodec, Codec } from '../../codec/codec.ts';
import type { DescribeEvent } from './stage-spans.ts';

export function describeWith(codec: Codec<EventShape> | AsyncCodec<EventShape>): DescribeEvent {
  return async (message) => {
    const event = await codec.decode(message.value);
    return { eventId: event.eventId, tenantId: event.tenantId, kind: event.kind };
  };
}

interface EventShape {
  readonly eventId: string;
  readonly tenantId: string;
  readonly kind: string;
}
