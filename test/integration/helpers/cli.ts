/** Runs `impact-in <args>` as a child process with a scenario's environment. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { childCoverageEnv } from '../../coverage-report/child-coverage.ts';

const run = promisify(execFile);
const CLI = new URL('../../../src/cli/main.ts', import.meta.url).pathname;

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCli(env: Record<string, string>, args: readonly string[], timeoutMs = 120_000): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...childCoverageEnv(), ...env }, timeout: timeoutMs });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
