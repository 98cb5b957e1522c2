/**
 * impact-in's command line. Each command parses its own flags strictly: an unknown or malformed
 * flag fails at once, naming it. Exit codes: 0 success, 1 failure at run time, 2 bad usage/config.
 */
import { isImpactError } from '../domain/errors.ts';
import { COMMANDS, helpFor, usage } from './catalogue.ts';
import { wantsHelp } from './help.ts';
import { UsageError } from './usage.ts';

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  if (name === 'help') {
    if (rest.length === 0) {
      process.stdout.write(usage());
      return 0;
    }
    const text = helpFor(rest);
    if (!text) {
      process.stderr.write(`impact-in help: unknown command "${rest.join(' ')}"\n\n${usage()}`);
      return 2;
    }
    process.stdout.write(text);
    return 0;
  }
  const command = COMMANDS.find((candidate) => candidate.spec.name === name);
  if (!command) {
    process.stderr.write(`impact-in: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  if (wantsHelp(rest)) {
    // `tenants add --help` describes add; `tenants --help` the command and its subcommands.
    process.stdout.write(helpFor([name, ...rest.filter((arg) => !arg.startsWith('-'))])!);
    return 0;
  }
  try {
    await command.run(rest);
    return 0;
  } catch (error) {
    if (error instanceof UsageError || (isImpactError(error) && error.code === 'CONFIG_INVALID')) {
      const hint = error instanceof UsageError ? `\n(\`impact-in ${name} --help\` lists the flags)` : '';
      process.stderr.write(`impact-in ${name}: ${error.message}${hint}\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`impact-in ${name}: failed: ${message}\n`);
    return 1;
  }
}

const code = await main(process.argv.slice(2));
process.exitCode = code;
if (code !== 0) {
  // A command that failed has closed what it opened; should a client library still hold a handle
  // (a reconnect timer, a socket), the process must end all the same: a failed command that
  // hangs is worse than one that exits. unref(): this timer alone keeps nothing alive.
  setTimeout(() => {
    process.stderr.write(`impact-in: exiting with code ${code} (handles were still open 5 s after the failure)\n`);
    process.exit(code);
  }, 5_000).unref();
}
