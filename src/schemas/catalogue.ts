/**
 * The contracts impact-in publishes to a schema registry: one Avro schema per contract under
 * `schemas/<contract>/v<N>.avsc` (the highest N is current), its zod counterpart (the semantic
 * rules and the TypeScript types), and the topics whose values it describes. Subjects follow
 * Confluent's TopicNameStrategy: `<topic>-value`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import avro, { type Type } from 'avsc';
import type { z } from 'zod';
import { deliveryResultSchema } from '../domain/delivery-result.ts';
import { impactEventSchema } from '../domain/event.ts';
import { redactedEventSchema } from '../domain/redacted-event.ts';
import type { Topics } from '../kafka/topics.ts';
import { deadLetterEnvelopeSchema } from './dead-letter-envelope.ts';

export interface Contract {
  readonly name: string;
  readonly zod: z.ZodType;
  /** The topics whose message values follow this contract. */
  readonly topics: (topics: Topics) => string[];
}

export const CONTRACTS = [
  { name: 'impact-event', zod: impactEventSchema, topics: (t: Topics) => [t.events] },
  // The router forwards redacted events unchanged to each platform's delivery topic.
  { name: 'redacted-event', zod: redactedEventSchema, topics: (t: Topics) => [t.redacted, ...Object.values(t.deliver)] },
  { name: 'delivery-result', zod: deliveryResultSchema, topics: (t: Topics) => [t.results] },
  {
    name: 'dead-letter',
    zod: deadLetterEnvelopeSchema,
    topics: (t: Topics) => [t.eventsDlq, t.redactedDlq, ...Object.values(t.deliverDlq)],
  },
] as const satisfies readonly Contract[];

export type ContractName = (typeof CONTRACTS)[number]['name'];

/** The repository's `schemas/` folder. */
export const SCHEMAS_DIR = fileURLToPath(new URL('../../schemas/', import.meta.url));

/** One version of a contract's Avro schema, as read from disk. */
export interface LocalSchema {
  readonly contract: ContractName;
  readonly version: number;
  readonly file: string;
  /** The schema text as registered (compact JSON). */
  readonly text: string;
  readonly type: Type;
}

/** Confluent's TopicNameStrategy for message values. */
export function valueSubject(topic: string): string {
  return `${topic}-value`;
}

/** Every version of one contract's schema, oldest first. Throws naming the file if one does not parse. */
export function loadSchemaVersions(contract: ContractName, dir: string = SCHEMAS_DIR): LocalSchema[] {
  const folder = join(dir, contract);
  const versions = readdirSync(folder)
    .map((file) => ({ file, match: /^v(\d+)\.avsc$/.exec(file) }))
    .filter((entry): entry is { file: string; match: RegExpExecArray } => entry.match !== null)
    .map(({ file, match }) => ({ file: join(folder, file), version: Number(match[1]) }))
    .sort((a, b) => a.version - b.version);
  if (versions.length === 0) throw new Error(`${folder}: no v<N>.avsc schema`);
  return versions.map(({ file, version }) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new Error(`${file}: not JSON (${(error as Error).message})`, { cause: error });
    }
    let type: Type;
    try {
      type = avro.Type.forSchema(parsed as avro.Schema);
    } catch (error) {
      throw new Error(`${file}: not a valid Avro schema (${(error as Error).message})`, { cause: error });
    }
    return { contract, version, file, text: JSON.stringify(parsed), type };
  });
}

/** The current (highest) version of a contract's schema. */
export function currentSchema(contract: ContractName, dir: string = SCHEMAS_DIR): LocalSchema {
  return loadSchemaVersions(contract, dir).at(-1)!;
}
