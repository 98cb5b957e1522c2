/**
 * The narrow Kafka interfaces impact-in owns. Stages see only these; the kafkajs adapter in
 * `./kafkajs/` implements them, so a move to another client is one adapter, not a rewrite.
 */

export type Headers = Readonly<Record<string, string>>;

/** A message as a stage sees it. */
export interface InboundMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Headers;
  readonly timestamp: string;
}

export interface OutboundMessage {
  readonly topic: string;
  readonly key: string | Buffer | null;
  readonly value: string | Buffer;
  readonly headers?: Headers;
}

/** Produces messages; resolves only once the broker has acknowledged all of them (acks=all). */
export interface MessageSink {
  send(messages: readonly OutboundMessage[]): Promise<void>;
}

/**
 * Handles one message. Resolving means the message is fully dealt with and its offset may be
 * committed; rejecting means it was not, and it will be offered again (after a back-off) without
 * the offset moving past it.
 */
export type MessageHandler = (
  message: InboundMessage,
  signal: AbortSignal,
  /** Keeps the member in its group through a long handler (retries, back-offs); call it while waiting. A heartbeat that learns of a rebalance aborts `signal`: stop waiting and reject. */
  heartbeat?: () => Promise<void>,
) => Promise<void>;

/** A running consumer-group member. */
export interface StageConsumer {
  /**
   * Joins the group and starts handling messages: one partition's messages in order, or — for the
   * key-ordered consumer — the messages of one key in order, different keys at once.
   */
  start(handler: MessageHandler): Promise<void>;
  /** Stops fetching, lets in-flight handlers finish, commits resolved offsets, leaves the group. */
  stop(): Promise<void>;
  /** Whether the member is currently in the group and fetching. */
  isHealthy(): boolean;
}

/**
 * Turns a batch of one partition's messages into the messages to produce. The adapter produces
 * them and commits the input offsets in ONE Kafka transaction: each input is reflected in the
 * output exactly once, for readers in read_committed. Side effects must be idempotent — a batch
 * whose transaction aborted is transformed again.
 */
export type BatchTransform = (messages: readonly InboundMessage[], signal: AbortSignal) => Promise<OutboundMessage[]>;

export interface TransformConsumer {
  start(transform: BatchTransform): Promise<void>;
  stop(): Promise<void>;
  isHealthy(): boolean;
}

/** Lag of one partition: records a group has still to consume. */
export interface PartitionLag {
  readonly partition: number;
  readonly lag: number;
}

/** Reads a consumer group's lag on a topic from outside the group. */
export interface LagReader {
  read(groupId: string, topic: string): Promise<PartitionLag[]>;
}
