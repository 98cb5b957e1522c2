/**
 * A scenario's own PostgreSQL server on a free loopback port, to stop, SIGKILL and start again
 * without touching the shared one. Its data directory survives restarts (a crash test must find
 * its rows again); `destroy()` removes it. initdb and postgres refuse to run as root, so both run
 * as the `postgres` OS user when the test runs as root (as deploy/local/stack.sh does).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { freePort } from './redis-process.ts';

export interface PostgresProcess {
  /** An admin URL (database `postgres`, user `impact`, trust auth): createScenarioEnv makes its database here. */
  readonly url: string;
  start(): Promise<void>;
  /** Fast shutdown (SIGINT): sessions are ended, the server checkpoints and exits. */
  stop(): Promise<void>;
  /** SIGKILL to the postmaster and every backend: a machine losing power, recovered from WAL on start. */
  kill(): Promise<void>;
  destroy(): Promise<void>;
}

function binDir(): string {
  const found = spawnSync('sh', ['-c', 'ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1'], { encoding: 'utf8' });
  const dir = found.stdout.trim();
  if (!dir) throw new Error('postgres-process: no /usr/lib/postgresql/*/bin (install the postgresql package)');
  return dir;
}

function osUser(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error('postgres-process: running as root and no `postgres` OS user');
  return { uid, gid };
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function postgresProcess(): Promise<PostgresProcess> {
  const bin = binDir();
  const user = osUser();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'impact-pg-'));
  if (user.uid !== undefined) chownSync(dir, user.uid, user.gid!);
  const data = join(dir, 'data');
  const init = spawnSync(join(bin, 'initdb'), ['-D', data, '-U', 'impact', '--auth=trust', '-E', 'UTF8', '--no-sync'], {
    ...user,
    cwd: dir,
    encoding: 'utf8',
  });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const url = `postgres://impact:impact@127.0.0.1:${port}/postgres`;
  let child: ChildProcess | undefined;

  const exited = async () => {
    if (child && child.exitCode === null && child.signalCode === null) await once(child, 'exit');
  };
  return {
    url,
    async start() {
      if (child && child.exitCode === null && child.signalCode === null) return;
      // detached: the postmaster leads its own process group, so kill() reaches every backend too.
      child = spawn(
        join(bin, 'postgres'),
        ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'fsync=on'],
        { ...user, cwd: dir, detached: true, stdio: 'ignore' },
      );
      const deadline = Date.now() + 60_000;
      while (!(await answers(url))) {
        if (child.exitCode !== null) throw new Error(`postgres exited (${child.exitCode}) during start; data in ${data}`);
        if (Date.now() > deadline) throw new Error('postgres did not start within 60 s');
        await sleep(100);
      }
    },
    async stop() {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGINT');
      await exited();
    },
    async kill() {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      process.kill(-child.pid!, 'SIGKILL');
      await exited();
      // The backends were in the same group; give the kernel a moment to reap them before a start.
      await sleep(200);
    },
    async destroy() {
      if (child && child.exitCode === null && child.signalCode === null) {
        process.kill(-child.pid!, 'SIGKILL');
        await exited();
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
