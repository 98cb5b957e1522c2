/**
 * A scenario's own redis-server on a free loopback port, to stop and start (or empty) without
 * touching the shared one. No persistence: started again, it is empty, like a Redis that lost its
 * data.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

export interface RedisProcess {
  readonly url: string;
  start(): Promise<void>;
  /** SIGKILL: whatever it held is gone. */
  stop(): Promise<void>;
}

export async function redisProcess(): Promise<RedisProcess> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  return {
    url: `redis://127.0.0.1:${port}`,
    async start() {
      child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      const deadline = Date.now() + 10_000;
      for (;;) {
        const up = await fetch(`http://127.0.0.1:${port}`).then(
          () => true,
          (error: { cause?: { code?: string } }) => error.cause?.code !== 'ECONNREFUSED',
        );
        if (up) return;
        if (Date.now() > deadline) throw new Error('redis-server did not start');
        await sleep(50);
      }
    },
    async stop() {
      if (!child || child.exitCode !== null) return;
      child.kill('SIGKILL');
      await once(child, 'exit');
    },
  };
}
