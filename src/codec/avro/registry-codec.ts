/**
 * Avro in the Confluent wire format (magic byte 0, 4-byte big-endian schema id, Avro binary),
 * validated by a zod schema. Decoding resolves the writer's schema (looked up by id, cached) into
 * our reader schema, so a producer on a newer compatible version — an added optional field — is
 * read as the version we know. Encoding uses our schema and the id the registry gave it.
 *
 * Failure classes: bytes that are not the wire format, an unknown schema id, a writer schema our
 * reader cannot resolve, and Avro that does not parse are DECODE_FAILED (permanent); a value that
 * breaks the zod contract is VALIDATION_FAILED; a registry that cannot be reached is
 * DEPENDENCY_UNAVAILABLE (retryable) and nothing about it is cached.
 */
import avro, { type Resolver, type Type } from 'avsc';
import type { z } from 'zod';
import { ImpactError } from '../../domain/errors.ts';
import { dropAbsentNulls, fromAvroDatum, toAvroDatum } from '../../schemas/avro-mapping.ts';
import type { SchemaRegistry } from '../../schemas/registry.ts';
import type { AsyncCodec } from '../codec.ts';

export const MAGIC_BYTE = 0;
const HEADER_BYTES = 5;
const MAX_REASON = 400;

export interface RegistryCodecOptions<S extends z.ZodType> {
  readonly registry: SchemaRegistry;
  /** Subject of the topic's values (`<topic>-value`). */
  readonly subject: string;
  /** Our (reader and writer) Avro schema, JSON text, as registered. */
  readonly schema: string;
  /** The contract's semantic rules. */
  readonly zod: S;
}

/** `path: message` of the first zod issues — field names, never values. */
export function validationReason(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ')
    .slice(0, MAX_REASON);
}

const short = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 200);

export function createRegistryCodec<S extends z.ZodType>(options: RegistryCodecOptions<S>): AsyncCodec<z.infer<S>> {
  const { registry, subject, zod } = options;
  const reader = avro.Type.forSchema(JSON.parse(options.schema) as avro.Schema);
  // Settled lookups only: a failed one is dropped so the next message asks again.
  const resolvers = new Map<number, Promise<Resolver>>();
  let ownId: Promise<number> | undefined;

  const resolverFor = (id: number): Promise<Resolver> => {
    let pending = resolvers.get(id);
    if (!pending) {
      pending = registry.schemaById(id).then((text) => {
        let writer: Type;
        try {
          writer = avro.Type.forSchema(JSON.parse(text) as avro.Schema);
        } catch (error) {
          throw new ImpactError('DECODE_FAILED', `schema id ${id} is not a usable Avro schema (${short(error)})`);
        }
        try {
          return reader.createResolver(writer);
        } catch (error) {
          throw new ImpactError('DECODE_FAILED', `schema id ${id} cannot be read as ${subject} (${short(error)})`);
        }
      });
      resolvers.set(id, pending);
      pending.catch(() => resolvers.delete(id));
    }
    return pending;
  };

  const idOfOurs = (): Promise<number> => {
    if (!ownId) {
      ownId = registry.idOf(subject, options.schema);
      ownId.catch(() => {
        ownId = undefined;
      });
    }
    return ownId;
  };

  const validate = (value: unknown): z.infer<S> => {
    const parsed = zod.safeParse(value);
    if (!parsed.success) throw new ImpactError('VALIDATION_FAILED', validationReason(parsed.error));
    return parsed.data;
  };

  return {
    async decode(bytes) {
      if (bytes === null || bytes.length === 0) throw new ImpactError('DECODE_FAILED', 'empty message value');
      if (bytes.length < HEADER_BYTES) throw new ImpactError('DECODE_FAILED', 'shorter than the schema-registry wire header');
      if (bytes[0] !== MAGIC_BYTE) {
        throw new ImpactError('DECODE_FAILED', `magic byte 0x${bytes[0]!.toString(16).padStart(2, '0')}: not the schema-registry wire format`);
      }
      const id = bytes.readInt32BE(1);
      const resolver = await resolverFor(id);
      let datum: unknown;
      try {
        datum = reader.fromBuffer(bytes.subarray(HEADER_BYTES), resolver);
      } catch (error) {
        throw new ImpactError('DECODE_FAILED', `not valid Avro for schema id ${id} (${short(error)})`);
      }
      return validate(dropAbsentNulls(zod, fromAvroDatum(reader, datum)));
    },

    async encode(value) {
      const valid = validate(value);
      let datum: unknown;
      try {
        datum = toAvroDatum(reader, valid);
      } catch (error) {
        throw new ImpactError('VALIDATION_FAILED', `does not fit the Avro schema of ${subject} (${short(error)})`);
      }
      const paths: string[] = [];
      if (!reader.isValid(datum, { errorHook: (path) => paths.push(path.join('.')) })) {
        throw new ImpactError('VALIDATION_FAILED', `does not fit the Avro schema of ${subject}: ${paths.slice(0, 5).join(', ')}`);
      }
      const header = Buffer.alloc(HEADER_BYTES);
      header.writeUInt8(MAGIC_BYTE, 0);
      header.writeInt32BE(await idOfOurs(), 1);
      return Buffer.concat([header, reader.toBuffer(datum)]);
    },
  };
}
