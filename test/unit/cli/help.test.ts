import { describe, expect, it } from 'vitest';
import { COMMANDS, helpFor, usage } from '../../../src/cli/catalogue.ts';
import { findSpec, renderHelp, wantsHelp, type CommandSpec } from '../../../src/cli/help.ts';
import { intOf, UsageError } from '../../../src/cli/usage.ts';

/** Every command and subcommand, as the path a user types. */
function paths(specs: readonly CommandSpec[], parents: string[] = []): { path: string[]; spec: CommandSpec }[] {
  return specs.flatMap((spec) => [
    { path: [...parents, spec.name], spec },
    ...paths(spec.subcommands ?? [], [...parents, spec.name]),
  ]);
}

const ALL = paths(COMMANDS.map((command) => command.spec));

describe('help on every command and subcommand', () => {
  it('covers the subcommands of tenants, dlq and schemas', () => {
    const names = ALL.map(({ path }) => path.join(' '));
    for (const expected of ['start', 'tenants add', 'tenants rotate-keys', 'dlq redrive', 'schemas check', 'demo', 'publish', 'migrate']) {
      expect(names).toContain(expected);
    }
  });

  it.each(ALL.map(({ path, spec }) => [path.join(' '), path, spec] as const))('%s: usage, summary, every flag and variable', (_name, path, spec) => {
    const text = helpFor(path)!;
    expect(text.split('\n')[0]).toBe(`usage: impact-in ${path.join(' ')}${spec.subcommands ? ' <subcommand> [flags]' : spec.flags ? ' [flags]' : ''}`);
    expect(text).toContain(spec.summary);
    for (const [flag, declared] of Object.entries(spec.flags ?? {})) {
      expect(text).toContain(`--${flag}`);
      if (declared.int?.default !== undefined) expect(text).toContain(`default ${declared.int.default}`);
    }
    for (const sub of spec.subcommands ?? []) expect(text).toContain(sub.name);
    for (const variable of (spec.env ?? []).filter((name) => name !== '*')) expect(text).toContain(variable);
    expect(text).toContain('--help, -h');
  });

  it("lists every configuration variable, with its range and default, for the service's commands", () => {
    const text = helpFor(['start'])!;
    expect(text).toMatch(/TOPIC_PARTITIONS\s+integer 1–1024, default 6/);
    expect(text).toMatch(/IMPACT_SECRET_KEY\s+string, required/);
    expect(text).toMatch(/LOG_LEVEL\s+fatal\|error\|warn\|info\|debug\|trace\|silent, default "info"/);
  });

  it('the top-level usage names every command and how to get help', () => {
    for (const { spec } of COMMANDS) expect(usage()).toContain(spec.name);
    expect(usage()).toContain('impact-in help <command>');
  });

  it('names nothing it does not know', () => {
    expect(findSpec(COMMANDS.map((c) => c.spec), ['nonsense'])).toBeUndefined();
    expect(helpFor(['nonsense'])).toBeUndefined();
    // An unknown subcommand falls back to its command's help.
    expect(helpFor(['tenants', 'nonsense'])).toBe(helpFor(['tenants']));
  });

  it('recognises --help and -h among other arguments', () => {
    expect(wantsHelp(['add', '--tenant', 'x', '--help'])).toBe(true);
    expect(wantsHelp(['-h'])).toBe(true);
    expect(wantsHelp(['--tenant', 'help'])).toBe(false);
  });
});

describe('whole-number flags take their default and range from the spec', () => {
  const flag = { int: { default: 5, min: 1, max: 10 } };
  it('defaults, accepts, refuses naming the flag and range', () => {
    expect(intOf('n', flag, undefined)).toBe(5);
    expect(intOf('n', flag, '10')).toBe(10);
    expect(() => intOf('n', flag, '11')).toThrow(new UsageError('--n must be a whole number from 1 to 10, got "11"'));
    expect(() => intOf('n', { int: { min: 1, max: 3 } }, undefined)).toThrow(/--n is required/);
    expect(intOf('n', { int: { min: 1, max: 3 } }, undefined, 2)).toBe(2);
  });

  it('renders a flag with a long placeholder on its own line', () => {
    const text = renderHelp({ name: 'x', summary: 's', flags: { 'a-very-long-flag': { type: 'string', value: 'VALUE', description: 'd' } } });
    expect(text).toContain('  --a-very-long-flag VALUE\n                   d');
  });
});
