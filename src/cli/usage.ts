/** Strict flag parsing shared by the commands: unknown flags and bad values name themselves. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, positionals = false) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: positionals });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

export function intFlag(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${value}"`);
  }
  return n;
}

/** A whole-number flag declared with `int` in its spec: the spec's default and range apply. */
export function intOf(name: string, spec: { readonly int?: { readonly default?: number; readonly min: number; readonly max: number } }, value: string | undefined, fallback?: number): number {
  if (!spec.int) throw new UsageError(`--${name} is not a whole-number flag`);
  const { min, max } = spec.int;
  const byDefault = spec.int.default ?? fallback;
  if (value === undefined && byDefault === undefined) throw new UsageError(`--${name} is required`);
  return intFlag(name, value, byDefault ?? min, min, max);
}
