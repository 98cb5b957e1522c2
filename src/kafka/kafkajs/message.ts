/** Conversions between kafkajs messages and our port types, shared by the kafkajs adapters. */
import type { KafkaMessage, Message } from 'kafkajs';
import type { InboundMessage, OutboundMessage } from '../ports.ts';

export function toInbound(topic: string, partition: number, message: KafkaMessage): InboundMessage {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) headers[name] = first.toString();
  }
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key,
    value: message.value,
    headers,
    timestamp: message.timestamp,
  };
}

/** Groups outbound messages per topic, in order, as kafkajs' sendBatch wants them. */
export function byTopic(messages: readonly OutboundMessage[]): { topic: string; messages: Message[] }[] {
  const grouped = new Map<string, Message[]>();
  for (const message of messages) {
    const list = grouped.get(message.topic) ?? [];
    list.push({ key: message.key, value: message.value, headers: message.headers ? { ...message.headers } : undefined });
    grouped.set(message.topic, list);
  }
  return [...grouped].map(([topic, list]) => ({ topic, messages: list }));
}
