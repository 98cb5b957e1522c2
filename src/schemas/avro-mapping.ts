/**
 * Between a zod-validated value and an Avro datum. Avro has no "absent": an optional field is
 * `["null", T]` with default null, so `toAvroDatum` writes null for an absent field and
 * `fromAvroDatum` + `dropAbsentNulls` turn null back into "absent" where the zod schema wants an
 * optional (not nullable) field. A union of records (the payload of each event kind) is written
 * as the one branch the value fits.
 */
import type { Type } from 'avsc';
import type { z } from 'zod';

type AnyType = Type & {
  fields?: { name: string; type: Type }[];
  types?: Type[];
};

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** A plain value (absent optionals allowed) as the datum `type` serialises. */
export function toAvroDatum(type: Type, value: unknown): unknown {
  const t = type as AnyType;
  switch (type.typeName) {
    case 'record': {
      if (!isObject(value)) return value;
      return Object.fromEntries((t.fields ?? []).map((field) => [field.name, toAvroDatum(field.type, value[field.name])]));
    }
    case 'union:unwrapped': {
      if (value === undefined || value === null) return null;
      const branches = (t.types ?? []).filter((branch) => branch.typeName !== 'null');
      const fitting = branches.map((branch) => toAvroDatum(branch, value)).find((datum, i) => branches[i]!.isValid(datum));
      return fitting ?? value;
    }
    case 'union:wrapped': {
      if ((value === undefined || value === null) && t.types?.some((branch) => branch.typeName === 'null')) return null;
      const fitting = (t.types ?? [])
        .filter((branch) => branch.typeName !== 'null')
        .map((branch) => ({ branch, datum: toAvroDatum(branch, value) }))
        .filter(({ branch, datum }) => branch.isValid(datum));
      if (fitting.length !== 1) {
        throw new Error(fitting.length === 0 ? 'value fits no branch of the union' : 'value fits more than one branch of the union');
      }
      return { [fitting[0]!.branch.branchName!]: fitting[0]!.datum };
    }
    default:
      return value;
  }
}

/** A decoded Avro datum as plain objects (records, unwrapped union branches); nulls kept. */
export function fromAvroDatum(type: Type, datum: unknown): unknown {
  const t = type as AnyType;
  switch (type.typeName) {
    case 'record': {
      if (!isObject(datum)) return datum;
      return Object.fromEntries((t.fields ?? []).map((field) => [field.name, fromAvroDatum(field.type, datum[field.name])]));
    }
    case 'union:unwrapped': {
      if (datum === null) return null;
      const branch = (t.types ?? []).find((candidate) => candidate.typeName !== 'null' && candidate.isValid(datum));
      return branch ? fromAvroDatum(branch, datum) : datum;
    }
    case 'union:wrapped': {
      if (!isObject(datum)) return datum;
      const [name] = Object.keys(datum);
      const branch = (t.types ?? []).find((candidate) => candidate.branchName === name);
      return branch && name !== undefined ? fromAvroDatum(branch, datum[name]) : datum;
    }
    default:
      return datum;
  }
}

type ZodDef = { type: string; [key: string]: unknown };
const defOf = (schema: z.ZodType): ZodDef => (schema as unknown as { def: ZodDef }).def;

/**
 * Removes the nulls Avro wrote for absent fields: a null where `schema` accepts undefined but not
 * null, and a null under a key the (discriminated-union option's) object does not have.
 */
export function dropAbsentNulls(schema: z.ZodType, value: unknown): unknown {
  const def = defOf(schema);
  if (def.type === 'optional' || def.type === 'nullable') return dropAbsentNulls(def.innerType as z.ZodType, value);
  if (def.type === 'union' && typeof def.discriminator === 'string' && isObject(value)) {
    const discriminator = def.discriminator;
    const option = (def.options as z.ZodObject[]).find((candidate) =>
      (candidate.shape[discriminator] as z.ZodType | undefined)?.safeParse(value[discriminator]).success,
    );
    return option ? dropAbsentNulls(option, value) : value;
  }
  if (def.type !== 'object' || !isObject(value)) return value;
  const shape = (schema as unknown as z.ZodObject).shape as Record<string, z.ZodType>;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    const fieldSchema = shape[key];
    if (field === null && (fieldSchema === undefined || (!fieldSchema.safeParse(null).success && fieldSchema.safeParse(undefined).success))) {
      continue;
    }
    out[key] = fieldSchema === undefined ? field : dropAbsentNulls(fieldSchema, field);
  }
  return out;
}
