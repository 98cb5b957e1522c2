/** Runs `impact-in admin` as a child process (output kept in .stack/logs/tests/), for the admin API scenarios. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { childCoverageEnv } from '../../coverage-report/child-coverage.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
let counter = 0;

export interface AdminProcess {
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Resolves with the base URL once the admin listener is up. */
  readonly started: Promise<string>;
  stop(): Promise<number | string>;
}

export function spawnAdmin(name: string, env: Record<string, string>): AdminProcess {
  const logDir = join(ROOT, '.stack', 'logs', 'tests');
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `${name}.admin.${++counter}.log`);
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, [join(ROOT, 'src/cli/main.ts'), 'admin'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ADMIN_PORT: '0', ...childCoverageEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.pipe(log, { end: false });
  let buffered = '';
  const started = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      log.write(chunk);
      buffered += chunk.toString();
      const match = /"url":"(http:[^"]+)".*"msg":"impact-in admin started"/.exec(buffered);
      if (match) resolve(match[1]!);
      if (buffered.length > 1_000_000) buffered = buffered.slice(-10_000);
    });
    child.once('exit', (code, signal) => reject(new Error(`admin exited (${code ?? signal}) before starting; see ${logFile}`)));
  });
  started.catch(() => undefined);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      log.end();
      resolve(code ?? signal ?? 'unknown');
    });
  });
  return {
    child,
    logFile,
    started,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
