/**
 * How a stage turns message bytes into a validated value and back. JSON today; the schema-registry
 * (Avro) codec implements the same port, so stages do not change when the wire format does.
 */
export interface Codec<T> {
  /** Throws ImpactError DECODE_FAILED (bytes unreadable) or VALIDATION_FAILED (contract broken). */
  decode(bytes: Buffer | null): T;
  encode(value: T): Buffer;
}
