import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { UsageError, parseGooderaArgs } from '../../../../src/simulators/goodera/goodera.cli.ts';
import { call } from '../helpers.ts';

const MAIN = new URL('../../../../src/simulators/goodera/main.ts', import.meta.url).pathname;

describe('parseGooderaArgs', () => {
  it('parses every flag', () => {
    expect(
      parseGooderaArgs([
        '--port',
        '4010',
        '--host',
        '0.0.0.0',
        '--api-key',
        'k1=tenant-a',
        '--api-key',
        'k2=tenant=b',
        '--rate-limit-per-minute',
        '0',
      ]),
    ).toEqual({
      help: false,
      port: 4010,
      host: '0.0.0.0',
      apiKeys: { k1: 'tenant-a', k2: 'tenant=b' },
      rateLimitPerMinute: 0,
    });
  });

  it('leaves unset flags to the simulator defaults', () => {
    expect(parseGooderaArgs([])).toEqual({ help: false });
  });

  it.each([
    [['--prot', '4010'], "Unknown option '--prot'"],
    [['--port', 'abc'], "--port must be an integer between 0 and 65535, got 'abc'"],
    [['--port', '70000'], '--port must be an integer'],
    [['--rate-limit-per-minute', '-1'], '--rate-limit-per-minute'],
    [['--api-key', 'no-separator'], '--api-key must look like KEY=tenant'],
    [['--api-key', '=tenant'], '--api-key must look like KEY=tenant'],
    [['stray'], 'stray'],
  ])('rejects %j with a message naming the problem', (argv, message) => {
    expect(() => parseGooderaArgs(argv)).toThrow(UsageError);
    expect(() => parseGooderaArgs(argv)).toThrow(message);
  });

  it('never echoes a malformed api key', () => {
    expect(() => parseGooderaArgs(['--api-key', 'sekrit-value'])).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('sekrit') }),
    );
  });
});

describe('standalone main', () => {
  // Node 24 from node_modules runs the TypeScript entry point directly, like the demo does.
  const node = process.execPath;

  it('prints one line when listening, serves, and exits 0 on SIGTERM', async () => {
    const child = spawn(node, [MAIN, '--port', '0', '--api-key', 'k=tenant'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    await expect.poll(() => stdout, { timeout: 10_000 }).toMatch(/\n$/);
    const match = /^goodera simulator listening on (http:\/\/127\.0\.0\.1:\d+)\n$/.exec(stdout);
    expect(match).not.toBeNull();
    const lookup = await call(match![1]!, '/v1/impact-records?externalId=x', { apiKey: 'k' });
    expect(lookup.status).toBe(200);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });

  it('exits 2 naming an unknown flag', async () => {
    const child = spawn(node, [MAIN, '--prot', '4010'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(stderr).toContain("goodera simulator: Unknown option '--prot'");
  });
});
