/**
 * Every command's help comes from the same declaration its flags are parsed with (a `CommandSpec`:
 * parseArgs ignores the descriptive keys), so `--help` cannot drift from what a command accepts.
 * Environment variables are described from the configuration's own zod schema (type, range,
 * default), so a variable added there shows up here without another list to keep.
 */
import { z } from 'zod';
import { envSchema } from '../config/config.ts';

export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly default?: string | boolean;
  /** The value's placeholder in the usage line, e.g. `N` or `TOPIC`. */
  readonly value?: string;
  readonly description: string;
  /** A whole-number flag: its default and allowed range (checked by `intFlag`). */
  readonly int?: { readonly default?: number; readonly min: number; readonly max: number };
  /** Allowed values of a string flag. */
  readonly choices?: readonly string[];
  readonly required?: boolean;
}

export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  /** Longer text after the usage line: what the command does, what it prints, exit codes. */
  readonly description?: string;
  readonly flags?: Readonly<Record<string, FlagSpec>>;
  /** Positional arguments in the usage line, e.g. `[N]`. */
  readonly positionals?: string;
  /** Environment variables it reads: names, or `'*'` for every service variable. */
  readonly env?: readonly string[];
  readonly subcommands?: readonly CommandSpec[];
  readonly examples?: readonly string[];
}

/** `--help` / `-h` anywhere among a command's arguments. */
export function wantsHelp(args: readonly string[]): boolean {
  return args.includes('--help') || args.includes('-h');
}

/** The spec a path like `tenants add` names, or undefined. */
export function findSpec(specs: readonly CommandSpec[], path: readonly string[]): CommandSpec | undefined {
  let found: CommandSpec | undefined;
  let level: readonly CommandSpec[] | undefined = specs;
  for (const name of path) {
    const next: CommandSpec | undefined = level?.find((spec) => spec.name === name);
    if (!next) break;
    found = next;
    level = next.subcommands;
  }
  return found;
}

export function renderHelp(spec: CommandSpec, parents: readonly string[] = []): string {
  const path = ['impact-in', ...parents, spec.name].join(' ');
  const flags = Object.entries(spec.flags ?? {});
  const out: string[] = [];
  const usageTail = spec.subcommands?.length ? ' <subcommand> [flags]' : `${flags.length ? ' [flags]' : ''}${spec.positionals ? ` ${spec.positionals}` : ''}`;
  out.push(`usage: ${path}${usageTail}`, '', spec.summary);
  if (spec.description) out.push('', spec.description.trim());
  if (spec.subcommands?.length) {
    out.push('', 'subcommands:');
    for (const sub of spec.subcommands) out.push(`  ${sub.name.padEnd(14)} ${sub.summary}`);
    out.push('', `\`${path} <subcommand> --help\` describes each.`);
  }
  if (flags.length) {
    out.push('', 'flags:');
    for (const [name, flag] of flags) out.push(...flagLines(name, flag));
  }
  out.push(`${'  --help, -h'.padEnd(19)}this help`);
  if (spec.env?.length) out.push('', 'environment:', ...envLines(spec.env));
  if (spec.examples?.length) out.push('', 'examples:', ...spec.examples.map((example) => `  ${example}`));
  return `${out.join('\n')}\n`;
}

function flagLines(name: string, flag: FlagSpec): string[] {
  const head = `  --${name}${flag.type === 'string' ? ` ${flag.value ?? 'VALUE'}` : ''}`;
  const notes: string[] = [];
  if (flag.required) notes.push('required');
  if (flag.multiple) notes.push('repeatable');
  if (flag.int) {
    notes.push(`${flag.int.min}–${flag.int.max}`);
    if (flag.int.default !== undefined) notes.push(`default ${flag.int.default}`);
  } else if (flag.default !== undefined && flag.default !== false) {
    notes.push(`default ${String(flag.default)}`);
  }
  if (flag.choices) notes.push(`one of ${flag.choices.join(', ')}`);
  const text = `${flag.description}${notes.length ? ` (${notes.join('; ')})` : ''}`;
  return head.length < 19 ? [`${head.padEnd(19)}${text}`] : [head, `${' '.repeat(19)}${text}`];
}

interface JsonProperty {
  readonly type?: string;
  readonly default?: unknown;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly enum?: readonly unknown[];
  readonly format?: string;
}

interface JsonObject {
  readonly properties: Readonly<Record<string, JsonProperty>>;
  readonly required?: readonly string[];
}

let described: JsonObject | undefined;
/** The configuration schema as JSON Schema (input side: what the environment holds). */
function envDescription(): JsonObject {
  described ??= z.toJSONSchema(envSchema, { io: 'input', unrepresentable: 'any' }) as unknown as JsonObject;
  return described;
}

function envLines(names: readonly string[]): string[] {
  const { properties, required = [] } = envDescription();
  const all = names.includes('*') ? Object.keys(properties) : names;
  const lines = all.map((name) => {
    const p = properties[name];
    if (!p) return `  ${name}`;
    const kind = p.enum ? p.enum.join('|') : p.format === 'uri' ? 'URL' : p.type === 'integer' ? 'integer' : (p.type ?? 'string');
    const range = p.minimum !== undefined && p.maximum !== undefined ? ` ${p.minimum}–${p.maximum}` : '';
    const fallback = p.default !== undefined ? `, default ${JSON.stringify(p.default)}` : required.includes(name) ? ', required' : ', optional';
    return `  ${name.padEnd(40)} ${kind}${range}${fallback}`;
  });
  if (names.includes('*')) lines.push('  (what each one means: the Configuration table of the README)');
  return lines;
}
