/**
 * A scenario's own Prometheus (Debian's `prometheus` package) on a free loopback port, scraping
 * the given targets every second, with its TSDB in a temp dir. Fails naming the fix when the
 * binary is missing (deploy/prometheus/check.sh installs the package).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './redis-process.ts';

export interface PrometheusProcess {
  readonly url: string;
  /** Runs an instant query; returns the result vector (throws with Prometheus' error when it does not parse). */
  query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  stop(): Promise<void>;
}

export async function startPrometheus(targets: readonly string[]): Promise<PrometheusProcess> {
  if (spawnSync('prometheus', ['--version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error('prometheus is not installed: run deploy/prometheus/check.sh (installs Debian’s prometheus package)');
  }
  const dir = mkdtempSync(join(tmpdir(), 'impact-prom-'));
  const port = await freePort();
  const config = [
    'global: { scrape_interval: 1s, evaluation_interval: 1s }',
    'scrape_configs:',
    '  - job_name: impact-in',
    '    static_configs:',
    `      - targets: [${targets.map((t) => `"${t}"`).join(', ')}]`,
  ].join('\n');
  writeFileSync(join(dir, 'prometheus.yml'), `${config}\n`);
  const child: ChildProcess = spawn(
    'prometheus',
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ready = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ready) break;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error('prometheus did not start');
    await sleep(100);
  }
  return {
    url,
    async query(expr) {
      const response = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: expr })}`);
      const body = (await response.json()) as { status: string; error?: string; data?: { result: { metric: Record<string, string>; value: [number, string] }[] } };
      if (body.status !== 'success') throw new Error(`${expr}: ${body.error ?? response.status}`);
      return body.data!.result;
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
