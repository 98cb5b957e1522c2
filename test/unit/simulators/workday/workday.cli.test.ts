import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { UsageError, parseWorkdayArgs } from '../../../../src/simulators/workday/workday.cli.ts';
import { call } from '../helpers.ts';
import { basic } from './helpers.ts';

const MAIN = new URL('../../../../src/simulators/workday/main.ts', import.meta.url).pathname;

describe('parseWorkdayArgs', () => {
  it('parses every flag', () => {
    expect(
      parseWorkdayArgs([
        '--port', '4030', '--host', '0.0.0.0',
        '--tenant', 'acme=cid:csecret:rtoken', '--tenant', 'globex=g:s:r',
        '--no-client-credentials', '--token-ttl-seconds', '300', '--rate-limit-per-minute', '10',
      ]),
    ).toEqual({
      help: false,
      port: 4030,
      host: '0.0.0.0',
      tenants: {
        acme: { clientId: 'cid', clientSecret: 'csecret', refreshToken: 'rtoken' },
        globex: { clientId: 'g', clientSecret: 's', refreshToken: 'r' },
      },
      allowClientCredentials: false,
      tokenTtlSeconds: 300,
      rateLimitPerMinute: 10,
    });
  });

  it('leaves unset flags to the simulator defaults', () => {
    expect(parseWorkdayArgs([])).toEqual({ help: false });
  });

  it.each([
    [['--prot', '4030'], "Unknown option '--prot'"],
    [['--port=-1'], "--port must be an integer between 0 and 65535, got '-1'"],
    [['--rate-limit-per-minute', 'x'], '--rate-limit-per-minute'],
    [['--tenant', 'acme=cid:secret'], '--tenant must look like TENANT=CLIENT_ID:CLIENT_SECRET:REFRESH_TOKEN'],
    [['--tenant', '=cid:s:r'], '--tenant must look like'],
    [['--tenant', 'acme=cid::r'], '--tenant must look like'],
    [['stray'], 'stray'],
  ])('rejects %j with a message naming the problem', (argv, message) => {
    expect(() => parseWorkdayArgs(argv)).toThrow(UsageError);
    expect(() => parseWorkdayArgs(argv)).toThrow(message);
  });

  it('never echoes a malformed tenant spec (it holds secrets)', () => {
    expect(() => parseWorkdayArgs(['--tenant', 'acme=cid:sekrit'])).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('sekrit') }),
    );
  });
});

describe('standalone main', () => {
  const node = process.execPath;

  it('prints one line when listening, issues tokens, and exits 0 on SIGTERM', async () => {
    const child = spawn(node, [MAIN, '--port', '0', '--tenant', 'acme=cid:cs:rt'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    await expect.poll(() => stdout, { timeout: 10_000 }).toMatch(/\n$/);
    const match = /^workday simulator listening on (http:\/\/127\.0\.0\.1:\d+)\n$/.exec(stdout);
    expect(match).not.toBeNull();
    const token = await call(match![1]!, '/ccx/oauth2/acme/token', {
      body: 'grant_type=refresh_token&refresh_token=rt',
      headers: { authorization: basic('cid', 'cs'), 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(token).toMatchObject({ status: 200, body: { refresh_token: 'rt' } });
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });

  it('exits 2 naming an unknown flag', async () => {
    const child = spawn(node, [MAIN, '--prot', '4030'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(stderr).toContain("workday simulator: Unknown option '--prot'");
  });
});
