/**
 * The command catalogue: every command with the spec its flags are parsed with and its help is
 * printed from. main.ts runs them; the help test walks them.
 */
import { adminCommand, adminSpec } from './commands/admin.ts';
import { demoCommand, demoSpec } from './commands/demo.ts';
import { dlqCommand, dlqSpec } from './commands/dlq.ts';
import { migrateCommand, migrateSpec } from './commands/migrate.ts';
import { publishCommand, publishSpec } from './commands/publish.ts';
import { replayCommand, replaySpec } from './commands/replay.ts';
import { schemasCommand, schemasSpec } from './commands/schemas.ts';
import { startCommand, startSpec } from './commands/start.ts';
import { tenantsCommand, tenantsSpec } from './commands/tenants.ts';
import { findSpec, renderHelp, type CommandSpec } from './help.ts';

interface Command {
  readonly spec: CommandSpec;
  run(args: string[]): Promise<void>;
}

/** Every command with the spec its flags are parsed with and its help is printed from. */
export const COMMANDS: readonly Command[] = [
  { spec: startSpec, run: startCommand },
  { spec: migrateSpec, run: migrateCommand },
  { spec: publishSpec, run: publishCommand },
  { spec: tenantsSpec, run: tenantsCommand },
  { spec: dlqSpec, run: dlqCommand },
  { spec: replaySpec, run: replayCommand },
  { spec: schemasSpec, run: schemasCommand },
  { spec: adminSpec, run: adminCommand },
  { spec: demoSpec, run: demoCommand },
];
const SPECS = COMMANDS.map((command) => command.spec);

export function usage(): string {
  const lines = SPECS.map((spec) => `  ${spec.name.padEnd(10)} ${spec.summary}`);
  return `usage: impact-in <command> [flags]\n\ncommands:\n${lines.join('\n')}\n\n\`impact-in <command> --help\` or \`impact-in help <command> [subcommand]\` describes a command's flags, defaults and environment.\n`;
}

/** Help for `path` (e.g. ["tenants", "add"]): the deepest spec it names. */
export function helpFor(path: readonly string[]): string | undefined {
  const spec = findSpec(SPECS, path);
  if (!spec) return undefined;
  const names: string[] = [];
  let level: readonly CommandSpec[] | undefined = SPECS;
  for (const name of path) {
    const next: CommandSpec | undefined = level?.find((candidate) => candidate.name === name);
    if (!next || next === spec) break;
    names.push(name);
    level = next.subcommands;
  }
  return renderHelp(spec, names);
}
