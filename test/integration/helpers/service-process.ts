/**
 * Runs `impact-in start` as a real child process (so a scenario can SIGKILL it), with its output
 * kept in .stack/logs/tests/<scenario>.<n>.log for when a scenario fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { childCoverageEnv } from '../../coverage-report/child-coverage.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
let counter = 0;

export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Resolves with the health port once the service logged that it started. */
  readonly started: Promise<number>;
  /** Resolves with the exit code (or the signal name). */
  readonly exited: Promise<number | string>;
  kill(signal: NodeJS.Signals): void;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<number | string>;
}

export function spawnService(name: string, env: Record<string, string>, roles = 'all'): ServiceProcess {
  const logDir = join(ROOT, '.stack', 'logs', 'tests');
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `${name}.${++counter}.log`);
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, [join(ROOT, 'bin/impact-in.js'), 'start', '--role', roles], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...childCoverageEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.pipe(log, { end: false });
  let buffered = '';
  const started = new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      log.write(chunk);
      buffered += chunk.toString();
      const match = /"healthPort":(\d+).*"msg":"impact-in started"/.exec(buffered);
      if (match) resolve(Number(match[1]));
      if (buffered.length > 1_000_000) buffered = buffered.slice(-10_000);
    });
    child.once('exit', (code, signal) => reject(new Error(`service exited (${code ?? signal}) before starting; see ${logFile}`)));
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
    exited,
    kill: (signal) => {
      child.kill(signal);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
