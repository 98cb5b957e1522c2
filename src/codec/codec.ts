/**
 * How a stage turns message bytes into a validated value and back. JSON today; the schema-registry
 * (Avro) codec implements the same port, so stages do not change when the wire format does.
 */
export interface Codec<T> {
  /** Throws ImpactError DECODE_FAILED (bytes unreadable) or VALIDATION_FAILED (contract broken). */
  decode(bytes: Buffer | null): T;
  encode(value: T): Buffer;
}

/**
 * The same port for codecs that need I/O (the schema-registry codec looks schema ids up). Decode
 * also throws DEPENDENCY_UNAVAILABLE (retryable) when the registry cannot be reached: the message
 * must wait, never be dead-lettered.
 */
export interface AsyncCodec<T> {
  decode(bytes: Buffer | null): Promise<T>;
  encode(value: T): Promise<Buffer>;
}
