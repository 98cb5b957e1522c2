/**
 * The narrow interface of a Confluent-compatible schema registry that impact-in uses. The codec
 * needs only {@link SchemaRegistry}; the `schemas push|check` commands need
 * {@link SchemaRegistryAdmin}. `confluent/confluent-registry.ts` implements both over
 * @kafkajs/confluent-schema-registry, so a swap of client is one adapter.
 *
 * Failures are ImpactErrors: DEPENDENCY_UNAVAILABLE (retryable) when the registry cannot be
 * reached, times out or fails; DECODE_FAILED (permanent) for a schema id it does not know;
 * CONFIG_INVALID when a schema impact-in needs is not registered.
 */

/** Compatibility levels of the Confluent API; impact-in sets BACKWARD on its subjects. */
export type CompatibilityLevel = 'BACKWARD' | 'BACKWARD_TRANSITIVE' | 'FORWARD' | 'FULL' | 'NONE';

/** What a reader of the wire format needs: schemas by id, and the id of a schema we hold. */
export interface SchemaRegistry {
  /** The Avro schema (JSON text) registered with `id`. Cached: ids are immutable. DECODE_FAILED if unknown. */
  schemaById(id: number): Promise<string>;
  /** The id of `schema` (JSON text) under `subject`. Cached. CONFIG_INVALID if it is not registered there. */
  idOf(subject: string, schema: string): Promise<number>;
}

/** A subject's latest registered version. */
export interface RegisteredSchema {
  readonly id: number;
  /** Avro schema, JSON text. */
  readonly schema: string;
}

/** Registration and compatibility, for the schema commands. */
export interface SchemaRegistryAdmin {
  setCompatibility(subject: string, level: CompatibilityLevel): Promise<void>;
  /** Registers `schema` under `subject` and returns its id; the same schema again keeps its id. */
  register(subject: string, schema: string): Promise<number>;
  /** The latest version of `subject`, or undefined when nothing is registered under it. */
  latest(subject: string): Promise<RegisteredSchema | undefined>;
  /** Whether the registry would accept `schema` as the next version of `subject` under its compatibility level. */
  isCompatible(subject: string, schema: string): Promise<boolean>;
}
