/**
 * A real TCP proxy between impact-in and a platform: Shopify's toxiproxy server (built once with
 * `go install` into the per-machine tools cache, $IMPACT_TOOLS_CACHE/toxiproxy-<version>/, reused after), with network faults
 * ("toxics") added and removed over its HTTP API while a scenario runs. The server is seeded, so
 * which connections a partial toxic hits is the same run to run.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './redis-process.ts';

export const TOXIPROXY_VERSION = 'v2.12.0';

/** The toxiproxy server binary: installed with `go install` when missing (idempotent). */
export function toxiproxyBinary(): string {
  const tools = process.env.IMPACT_TOOLS_CACHE ?? join(homedir(), '.cache', 'impact-in', 'tools');
  const dir = join(tools, `toxiproxy-${TOXIPROXY_VERSION}`);
  const binary = join(dir, 'server');
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  const built = spawnSync('go', ['install', `github.com/Shopify/toxiproxy/v2/cmd/server@${TOXIPROXY_VERSION}`], {
    env: { ...process.env, GOBIN: dir, CGO_ENABLED: '0' },
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (built.status !== 0 || !existsSync(binary)) {
    throw new Error(`could not build toxiproxy ${TOXIPROXY_VERSION} with go install (is Go installed?): ${built.error ?? built.stderr}`);
  }
  return binary;
}

/** A toxic as toxiproxy takes it: https://github.com/Shopify/toxiproxy#toxics */
export interface Toxic {
  readonly type: 'latency' | 'bandwidth' | 'timeout' | 'reset_peer' | 'slow_close' | 'slicer' | 'limit_data';
  /** upstream: impact-in → platform; downstream: platform → impact-in. */
  readonly stream: 'upstream' | 'downstream';
  /** Share of connections it applies to (1 = all). */
  readonly toxicity?: number;
  readonly attributes: Record<string, number>;
}

export interface ToxiproxyProxy {
  /** Where impact-in connects (http://127.0.0.1:<port>). */
  readonly url: string;
  /** Points the proxy at the platform; the listen port stays the same. */
  connect(upstreamUrl: string): Promise<void>;
  add(name: string, toxic: Toxic): Promise<void>;
  remove(name: string): Promise<void>;
}

export interface ToxiproxyServer {
  proxy(name: string): Promise<ToxiproxyProxy>;
  close(): Promise<void>;
}

export async function startToxiproxy(seed: number): Promise<ToxiproxyServer> {
  const binary = toxiproxyBinary();
  const apiPort = await freePort();
  const api = `http://127.0.0.1:${apiPort}`;
  const child: ChildProcess = spawn(binary, ['-host', '127.0.0.1', '-port', String(apiPort), '-seed', String(seed)], { stdio: 'ignore' });
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${api}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`toxiproxy ${method} ${path}: ${response.status} ${await response.text()}`);
    return response;
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    const up = await fetch(`${api}/version`).then((r) => r.ok, () => false);
    if (up) break;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error('toxiproxy server did not start');
    await sleep(50);
  }
  return {
    async proxy(name) {
      const listen = `127.0.0.1:${await freePort()}`;
      let created = false;
      return {
        url: `http://${listen}`,
        async connect(upstreamUrl) {
          const upstream = new URL(upstreamUrl).host;
          if (created) await call('POST', `/proxies/${name}`, { upstream });
          else await call('POST', '/proxies', { name, listen, upstream, enabled: true });
          created = true;
        },
        async add(toxicName, toxic) {
          await call('POST', `/proxies/${name}/toxics`, { name: toxicName, toxicity: 1, ...toxic });
        },
        async remove(toxicName) {
          await call('DELETE', `/proxies/${name}/toxics/${toxicName}`);
        },
      };
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await once(child, 'exit');
    },
  };
}
