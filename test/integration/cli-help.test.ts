/**
 * What must hold: every command and subcommand answers `--help` (and `impact-in help …`) with its
 * usage on standard output and exit 0, without touching any service.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';

const run = promisify(execFile);
const CLI = new URL('../../src/cli/main.ts', import.meta.url).pathname;

async function cli(args: string[]) {
  // No service addresses and no keys: help must need none of them.
  const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '' }, timeout: 20_000 });
  return { stdout, stderr };
}

const PATHS = [
  ['start'], ['migrate'], ['publish'], ['demo'],
  ['tenants'], ['tenants', 'add'], ['tenants', 'list'], ['tenants', 'rotate'], ['tenants', 'rotate-keys'],
  ['dlq'], ['dlq', 'inspect'], ['dlq', 'redrive'],
  ['schemas'], ['schemas', 'push'], ['schemas', 'check'],
  ['replay'], ['replay', 'plan'], ['replay', 'run'], ['replay', 'list'], ['replay', 'status'],
  ['admin'], ['admin', 'serve'], ['admin', 'openapi'], ['admin', 'hash-token'],
];

test.each(PATHS.map((path) => [path.join(' '), path]))('impact-in %s --help', async (_name, path) => {
  const { stdout, stderr } = await cli([...path, '--help']);
  expect(stdout.startsWith(`usage: impact-in ${path.join(' ')}`)).toBe(true);
  expect(stderr).toBe('');
});

test('impact-in help <command> <subcommand> prints the same as --help', async () => {
  expect((await cli(['help', 'tenants', 'add'])).stdout).toBe((await cli(['tenants', 'add', '--help'])).stdout);
});

test('help of an unknown command exits 2 and lists the commands', async () => {
  await expect(cli(['help', 'deliver-everything'])).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command') });
});
