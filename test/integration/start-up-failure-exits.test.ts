/**
 * What must hold: when start-up fails part-way — after topics, pools, producers and consumer
 * groups are already up — the process closes what it opened and exits non-zero on its own,
 * instead of printing the failure and hanging on open handles.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createScenarioEnv, type ScenarioEnv } from './helpers/env.ts';
import { spawnService } from './helpers/service-process.ts';

let scenario: ScenarioEnv;
let occupied: Server;

beforeAll(async () => {
  scenario = await createScenarioEnv('startupfail');
  // The health server binds last of all: a port already taken fails start-up after everything else.
  occupied = createServer();
  await new Promise<void>((resolve) => occupied.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  await new Promise((resolve) => occupied.close(resolve));
  await scenario.cleanup();
});

test('a health port already in use ends start-up with exit 1 after closing every client', async () => {
  const port = (occupied.address() as { port: number }).port;
  const service = spawnService('startupfail', { ...scenario.env, HTTP_PORT: String(port), BENEVITY_CALLBACK_PORT: '0' });
  await expect(service.started).rejects.toThrow(/exited \(1\) before starting/);
  expect(await service.exited).toBe(1);
  const log = await readFile(service.logFile, 'utf8');
  expect(log).toContain('EADDRINUSE');
  // The CLI's last resort (exit anyway 5 s after a failure) must not have been needed.
  expect(log).not.toContain('handles were still open');
});
