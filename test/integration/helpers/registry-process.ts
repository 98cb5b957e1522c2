/**
 * A scenario's own schema registry: the same Apicurio jar and flags as the local stack
 * (`deploy/local/stack.sh registry-cmd`), on a free loopback port, with its H2 database in a temp
 * directory so schema ids survive a stop and a start (records on Kafka carry them). The scenario
 * stops and starts it at will; the shared registry is never touched. Its console goes to
 * .stack/logs/tests/<name>.registry.log.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const ROOT = new URL('../../../', import.meta.url).pathname;

export interface RegistryProcess {
  /** The Confluent-compatible base URL (…/apis/ccompat/v7), the same across restarts. */
  readonly url: string;
  readonly logFile: string;
  /** Starts the JVM and resolves once GET /subjects answers 200. */
  start(): Promise<void>;
  /** Stops it (SIGTERM: Quarkus shuts down; SIGKILL: gone at once) and waits for the exit. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Stops it and removes its database. */
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

export async function createRegistryProcess(name: string, startTimeoutMs = 90_000): Promise<RegistryProcess> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `impact-registry-${name}-`));
  mkdirSync(join(dir, 'db'));
  mkdirSync(join(dir, 'work'));
  const { stdout } = await promisify(execFile)('bash', [join(ROOT, 'deploy/local/stack.sh'), 'registry-cmd', String(port), join(dir, 'db'), join(dir, 'work')], {
    cwd: ROOT,
    maxBuffer: 1 << 20,
  });
  const [java, ...args] = stdout.split('\0').filter((arg) => arg !== '');
  if (!java || !args.includes('-jar')) throw new Error(`stack.sh registry-cmd printed no java command line: ${stdout.slice(0, 300)}`);

  const logDir = join(ROOT, '.stack', 'logs', 'tests');
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `${name}.registry.log`);
  const log: WriteStream = createWriteStream(logFile, { flags: 'a' });
  const url = `http://127.0.0.1:${port}/apis/ccompat/v7`;
  let child: ChildProcess | undefined;
  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;

  const answers = () =>
    fetch(`${url}/subjects`, { signal: AbortSignal.timeout(2_000) }).then(
      (response) => response.status === 200,
      () => false,
    );

  const stop = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') => {
    if (!child || !running()) return;
    const exited = once(child, 'exit');
    child.kill(signal);
    const timer = setTimeout(() => child?.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
    log.write(`===== ${new Date().toISOString()} registry stopped (${signal})\n`);
  };

  return {
    url,
    logFile,
    async start() {
      if (running()) throw new Error('registry already running');
      if (await answers()) throw new Error(`something else answers at ${url}`);
      log.write(`\n===== ${new Date().toISOString()} starting registry on ${url} (h2 file in ${dir}/db)\n`);
      const started = spawn(java, args, { cwd: join(dir, 'work'), stdio: ['ignore', 'pipe', 'pipe'] });
      child = started;
      started.stdout!.pipe(log, { end: false });
      started.stderr!.pipe(log, { end: false });
      const deadline = Date.now() + startTimeoutMs;
      while (!(await answers())) {
        if (started.exitCode !== null || started.signalCode !== null) throw new Error(`registry exited during start-up; see ${logFile}`);
        if (Date.now() > deadline) throw new Error(`registry did not answer within ${startTimeoutMs} ms; see ${logFile}`);
        await sleep(100);
      }
    },
    stop,
    async close() {
      await stop('SIGTERM');
      log.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
