import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { UsageError, parseBenevityArgs } from '../../../../src/simulators/benevity/benevity.cli.ts';
import { call } from '../helpers.ts';
import { basic } from './helpers.ts';

const MAIN = new URL('../../../../src/simulators/benevity/main.ts', import.meta.url).pathname;

describe('parseBenevityArgs', () => {
  it('parses every flag', () => {
    expect(
      parseBenevityArgs([
        '--port', '4020', '--host', '0.0.0.0',
        '--client', 'id-1=s3cret', '--client', 'id-2=a=b',
        '--token-ttl-seconds', '60', '--import-delay-ms', '0',
        '--callback-secret', 'whsec', '--callback-max-retries', '3', '--callback-backoff-ms', '50',
      ]),
    ).toEqual({
      help: false,
      port: 4020,
      host: '0.0.0.0',
      clients: { 'id-1': 's3cret', 'id-2': 'a=b' },
      tokenTtlSeconds: 60,
      importDelayMs: 0,
      callbackSecret: 'whsec',
      callbackMaxRetries: 3,
      callbackBackoffMs: 50,
    });
  });

  it('leaves unset flags to the simulator defaults', () => {
    expect(parseBenevityArgs([])).toEqual({ help: false });
  });

  it.each([
    [['--prot', '4020'], "Unknown option '--prot'"],
    [['--port', 'abc'], "--port must be an integer between 0 and 65535, got 'abc'"],
    [['--token-ttl-seconds', '0'], '--token-ttl-seconds must be an integer between 1 and 86400'],
    [['--callback-max-retries', '21'], '--callback-max-retries'],
    [['--client', 'no-separator'], '--client must look like CLIENT_ID=SECRET'],
    [['--callback-secret', ''], '--callback-secret must not be empty'],
    [['stray'], 'stray'],
  ])('rejects %j with a message naming the problem', (argv, message) => {
    expect(() => parseBenevityArgs(argv)).toThrow(UsageError);
    expect(() => parseBenevityArgs(argv)).toThrow(message);
  });

  it('never echoes a malformed client secret', () => {
    expect(() => parseBenevityArgs(['--client', 'sekrit-value='])).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('sekrit') }),
    );
  });
});

describe('standalone main', () => {
  const node = process.execPath;

  it('prints one line when listening, issues tokens, and exits 0 on SIGTERM', async () => {
    const child = spawn(node, [MAIN, '--port', '0', '--client', 'cid=csecret'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    await expect.poll(() => stdout, { timeout: 10_000 }).toMatch(/\n$/);
    const match = /^benevity simulator listening on (http:\/\/127\.0\.0\.1:\d+)\n$/.exec(stdout);
    expect(match).not.toBeNull();
    const token = await call(match![1]!, '/oauth2/token', {
      body: 'grant_type=client_credentials',
      headers: { authorization: basic('cid', 'csecret'), 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(token.status).toBe(200);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });

  it('exits 2 naming an unknown flag', async () => {
    const child = spawn(node, [MAIN, '--prot', '4020'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(stderr).toContain("benevity simulator: Unknown option '--prot'");
  });
});
