/**
 * The structural shape of a contract — field names, required vs optional, scalar types, enum
 * symbols, union branches — read from a zod schema and from an Avro type, so the two definitions
 * of one contract can be compared field by field (`shapeDifferences`). Semantic refinements
 * (lengths, ranges, formats) live only in zod and are not part of the shape.
 */
import type { Type } from 'avsc';
import type { z } from 'zod';

export type Shape =
  | { readonly kind: 'string' | 'integer' | 'number' | 'boolean' }
  | { readonly kind: 'enum'; readonly symbols: readonly string[] }
  | { readonly kind: 'record'; readonly fields: Readonly<Record<string, FieldShape>> }
  | { readonly kind: 'union'; readonly branches: readonly Shape[] };

/**
 * `required`: always present. `absent-or-null`: zod `.optional()` / `.nullable()`, Avro
 * `["null", T]` with default null (Avro cannot tell "absent" from "null"; the codec maps null back
 * to absent where zod wants that).
 */
export interface FieldShape {
  readonly shape: Shape;
  readonly presence: 'required' | 'absent-or-null';
}

type ZodDef = { type: string; [key: string]: unknown };
const defOf = (schema: unknown): ZodDef => (schema as { def: ZodDef }).def;

/** Shape of a zod schema. A discriminated union of objects becomes one record (the envelope). */
export function zodShape(schema: z.ZodType, path = '(root)'): Shape {
  const def = defOf(schema);
  switch (def.type) {
    case 'string':
      return { kind: 'string' };
    case 'number':
      return { kind: (schema as unknown as { format: string | null }).format === 'safeint' ? 'integer' : 'number' };
    case 'boolean':
      return { kind: 'boolean' };
    case 'enum':
      return { kind: 'enum', symbols: Object.values(def.entries as Record<string, string>) };
    case 'literal':
      return { kind: 'enum', symbols: (def.values as unknown[]).map(String) };
    case 'object': {
      const fields: Record<string, FieldShape> = {};
      for (const [name, field] of Object.entries((schema as unknown as z.ZodObject).shape as Record<string, z.ZodType>)) {
        const inner = unwrapOptional(field);
        fields[name] = { shape: zodShape(inner.schema, `${path}.${name}`), presence: inner.optional ? 'absent-or-null' : 'required' };
      }
      return { kind: 'record', fields };
    }
    case 'union':
      if (typeof def.discriminator === 'string') return mergeOptions(def.options as z.ZodType[], def.discriminator, path);
      return { kind: 'union', branches: (def.options as z.ZodType[]).map((option, i) => zodShape(option, `${path}|${i}`)) };
    default:
      throw new Error(`${path}: zod type '${def.type}' has no Avro counterpart in this mapping`);
  }
}

function unwrapOptional(schema: z.ZodType): { schema: z.ZodType; optional: boolean } {
  let current = schema;
  let optional = false;
  for (let def = defOf(current); def.type === 'optional' || def.type === 'nullable'; def = defOf(current)) {
    optional = true;
    current = def.innerType as z.ZodType;
  }
  return { schema: current, optional };
}

/**
 * The options of a discriminated union share an envelope: the discriminator becomes an enum of
 * every option's value, a field whose shape differs per option becomes a union of those shapes
 * (in option order), and a field only some options have is optional.
 */
function mergeOptions(options: z.ZodType[], discriminator: string, path: string): Shape {
  const shapes = options.map((option, i) => zodShape(option, `${path}|${i}`));
  const names = [...new Set(shapes.flatMap((shape) => (shape.kind === 'record' ? Object.keys(shape.fields) : [])))];
  const fields: Record<string, FieldShape> = {};
  for (const name of names) {
    const present = shapes.map((shape) => (shape.kind === 'record' ? shape.fields[name] : undefined));
    const defined = present.filter((field): field is FieldShape => field !== undefined);
    const first = defined[0]!;
    const presence = defined.length < shapes.length ? 'absent-or-null' : first.presence;
    if (name === discriminator) {
      fields[name] = { shape: { kind: 'enum', symbols: defined.flatMap((f) => (f.shape.kind === 'enum' ? f.shape.symbols : [])) }, presence };
    } else if (defined.every((field) => sameShape(field.shape, first.shape))) {
      fields[name] = { shape: first.shape, presence };
    } else {
      fields[name] = { shape: { kind: 'union', branches: defined.map((field) => field.shape) }, presence };
    }
  }
  return { kind: 'record', fields };
}

/** Shape of an Avro type (avsc). */
export function avroShape(type: Type, path = '(root)'): Shape {
  const t = type as Type & { fields?: { name: string; type: Type; defaultValue(): unknown }[]; symbols?: string[]; types?: Type[] };
  switch (type.typeName) {
    case 'string':
      return { kind: 'string' };
    case 'int':
    case 'long':
      return { kind: 'integer' };
    case 'float':
    case 'double':
      return { kind: 'number' };
    case 'boolean':
      return { kind: 'boolean' };
    case 'enum':
      return { kind: 'enum', symbols: t.symbols ?? [] };
    case 'record': {
      const fields: Record<string, FieldShape> = {};
      for (const field of t.fields ?? []) {
        const where = `${path}.${field.name}`;
        const branches = field.type.typeName.startsWith('union') ? ((field.type as typeof t).types ?? []) : undefined;
        const nullable = branches?.some((branch) => branch.typeName === 'null') ?? false;
        if (nullable) {
          const rest = branches!.filter((branch) => branch.typeName !== 'null');
          if (branches![0]!.typeName !== 'null' || field.defaultValue() !== null) {
            throw new Error(`${where}: a nullable field must be ["null", …] with default null`);
          }
          if (rest.length !== 1) throw new Error(`${where}: a nullable field must have exactly one other branch`);
          fields[field.name] = { shape: avroShape(rest[0]!, where), presence: 'absent-or-null' };
        } else {
          fields[field.name] = { shape: avroShape(field.type, where), presence: 'required' };
        }
      }
      return { kind: 'record', fields };
    }
    case 'union:wrapped':
    case 'union:unwrapped':
      return { kind: 'union', branches: (t.types ?? []).map((branch, i) => avroShape(branch, `${path}|${i}`)) };
    default:
      throw new Error(`${path}: Avro type '${type.typeName}' has no zod counterpart in this mapping`);
  }
}

function sameShape(a: Shape, b: Shape): boolean {
  return shapeDifferences(a, b).length === 0;
}

/** Every difference between two shapes, as `path: what differs` (empty when they agree). */
export function shapeDifferences(zod: Shape, avro: Shape, path = '(root)'): string[] {
  if (zod.kind !== avro.kind) return [`${path}: zod ${zod.kind}, Avro ${avro.kind}`];
  switch (zod.kind) {
    case 'enum': {
      const other = (avro as typeof zod).symbols;
      return zod.symbols.join(',') === other.join(',') ? [] : [`${path}: zod symbols [${zod.symbols.join(', ')}], Avro [${other.join(', ')}]`];
    }
    case 'record': {
      const other = (avro as typeof zod).fields;
      const out: string[] = [];
      for (const name of new Set([...Object.keys(zod.fields), ...Object.keys(other)])) {
        const a = zod.fields[name];
        const b = other[name];
        if (!a) out.push(`${path}.${name}: only in Avro`);
        else if (!b) out.push(`${path}.${name}: only in zod`);
        else {
          if (a.presence !== b.presence) out.push(`${path}.${name}: zod ${a.presence}, Avro ${b.presence}`);
          out.push(...shapeDifferences(a.shape, b.shape, `${path}.${name}`));
        }
      }
      return out;
    }
    case 'union': {
      const other = (avro as typeof zod).branches;
      if (zod.branches.length !== other.length) return [`${path}: zod ${zod.branches.length} branches, Avro ${other.length}`];
      return zod.branches.flatMap((branch, i) => shapeDifferences(branch, other[i]!, `${path}|${i}`));
    }
    default:
      return [];
  }
}
