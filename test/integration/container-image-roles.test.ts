/**
 * What must hold: the container image runs every role — `migrate`, then redactor, router,
 * deliver:goodera and relay each in its own container (non-root, read-only root filesystem, host
 * network, against the local stack) — and events published to the input topic reach Goodera
 * exactly once each, with a result per event; each container's HEALTHCHECK passes and each stops
 * cleanly (exit 0) on SIGTERM. The image is built by deploy/image/build.sh (scripts/test.sh does it
 * first); IMPACT_IMAGE names it.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { sampleEvents } from '../../src/publisher/sample-events.ts';
import { createPipeline, TENANTS, type Pipeline } from './helpers/pipeline.ts';
import { freePort } from './helpers/registry-process.ts';

const run = promisify(execFile);
const IMAGE = process.env.IMPACT_IMAGE ?? 'localhost/impact-in:dev';
const ROLES = ['redactor', 'router', 'deliver:goodera', 'relay'] as const;
const EVENTS = 60;
const CONTAINERS_CONF = `${process.env.XDG_CONFIG_HOME ?? `${process.env.HOME}/.config`}/impact-in/containers.conf`;

const podman = (...args: string[]) => run('podman', ['--runtime', 'runc', ...args], { env: { ...process.env, CONTAINERS_CONF }, maxBuffer: 16 << 20 });

let pipeline: Pipeline;
const containers: string[] = [];

function containerEnv(env: Record<string, string>, httpPort: number): string[] {
  // Loopback only (host network): the image's 0.0.0.0 defaults are for a pod network.
  const all = { ...env, HTTP_HOST: '127.0.0.1', HTTP_PORT: String(httpPort), BENEVITY_CALLBACK_HOST: '127.0.0.1' };
  return Object.entries(all).flatMap(([name, value]) => ['-e', `${name}=${value}`]);
}

const securityFlags = ['--network', 'host', '--read-only', '--tmpfs', '/tmp', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges'];

beforeAll(async () => {
  await podman('image', 'exists', IMAGE).catch(() => {
    throw new Error(`image ${IMAGE} is missing: build it with deploy/image/build.sh (scripts/test.sh does)`);
  });
  pipeline = await createPipeline('image', { GOODERA_RATE_LIMIT_PER_MINUTE: '1000' });
  // The migration Job's command, as the chart runs it before the roles.
  const migrate = await podman('run', '--rm', ...securityFlags, ...containerEnv(pipeline.scenario.env, 0), IMAGE, 'migrate');
  expect(migrate.stderr).not.toMatch(/failed/);
  for (const role of ROLES) {
    const name = `impact-smoke-${pipeline.scenario.id}-${role.replace(':', '-')}`;
    await podman('run', '-d', '--name', name, ...securityFlags, ...containerEnv(pipeline.scenario.env, await freePort()), IMAGE, 'start', '--role', role);
    containers.push(name);
  }
}, 180_000);

afterAll(async () => {
  for (const name of containers) await podman('rm', '-f', '-t', '5', name).catch(() => undefined);
  await pipeline?.close();
}, 120_000);

test(`${EVENTS} events pass through the image's roles, one container each, and each stops cleanly`, async () => {
  const user = await podman('image', 'inspect', '--format', '{{.Config.User}}', IMAGE);
  expect(user.stdout.trim()).toBe('10001:10001');

  const ids = await pipeline.publisher.publishImpactEvents(sampleEvents(EVENTS, { tenants: TENANTS, seed: 1515, now: new Date() }));
  await pipeline.tail.waitFor(pipeline.topics.results, () => pipeline.results().length >= EVENTS, 240_000);
  const stats = pipeline.goodera.stats();
  expect(stats.accepted).toBe(EVENTS);
  expect(stats.distinctKeys).toBe(EVENTS);
  expect(stats.duplicates).toBe(0);
  expect(new Set(pipeline.results().map((result) => result.eventId))).toEqual(new Set(ids));
  expect(pipeline.tail.messages(pipeline.topics.eventsDlq)).toHaveLength(0);

  for (const name of containers) {
    // The image's HEALTHCHECK (GET /healthz on HTTP_PORT) passes in every role.
    await expect(podman('healthcheck', 'run', name)).resolves.toBeDefined();
  }
  for (const name of containers) {
    await podman('stop', '-t', '30', name);
    const exit = await podman('inspect', '--format', '{{.State.ExitCode}}', name);
    expect({ name, exit: exit.stdout.trim() }).toEqual({ name, exit: '0' });
  }
});
