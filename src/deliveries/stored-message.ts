/**
 * A Kafka message kept in a PostgreSQL row while its delivery waits (a parked delivery, a record
 * in a platform job), so it can be handed back to the deliverer or dead-lettered as it was read.
 * One column layout for every table that keeps one.
 */
import type { InboundMessage } from '../kafka/ports.ts';

export interface StoredMessageColumns {
  source_topic: string;
  source_partition: number;
  source_offset: string;
  message_key: Buffer | null;
  message_value: Buffer;
  message_headers: string;
  message_timestamp: string;
}

/** The columns of `message`, ready to insert. */
export function storedMessageColumns(message: InboundMessage): StoredMessageColumns {
  return {
    source_topic: message.topic,
    source_partition: message.partition,
    source_offset: message.offset,
    message_key: message.key,
    message_value: message.value ?? Buffer.alloc(0),
    message_headers: JSON.stringify(message.headers),
    message_timestamp: message.timestamp,
  };
}

/** The message a row kept, or null when the row has none (nullable columns, older rows). */
export function storedMessage(row: {
  source_topic: string | null;
  source_partition: number | null;
  source_offset: string | null;
  message_key: Buffer | null;
  message_value: Buffer | null;
  message_headers: unknown;
  message_timestamp: string | null;
}): InboundMessage | null {
  if (row.source_topic === null || row.source_partition === null || row.source_offset === null) return null;
  return {
    topic: row.source_topic,
    partition: row.source_partition,
    offset: row.source_offset,
    key: row.message_key,
    value: row.message_value,
    headers: (row.message_headers ?? {}) as Record<string, string>,
    timestamp: row.message_timestamp ?? '0',
  };
}
