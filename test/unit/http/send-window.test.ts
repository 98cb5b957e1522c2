/**
 * What must hold: a request with a `sendBy` that has passed when undici is about to write it is not
 * written (the server never sees it) and fails with SendWindowClosedError; the check is made when
 * its turn to be written comes, not when it was queued; a request without one, or in time, goes.
 * Against a real local server over the real dispatcher.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { request, type Dispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../../src/http/dispatcher.ts';
import { SendWindowClosedError, assertSendWindowOpen, sendWindowClosed, withSendBy } from '../../../src/http/send-window.ts';

let server: Server;
let origin: string;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.url ?? '');
    const delay = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('delay') ?? 0);
    setTimeout(() => res.end('ok'), delay);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function dispatcher(connectionsPerOrigin?: number): Dispatcher {
  return createDispatcher({
    connectTimeoutMs: 1_000,
    requestTimeoutMs: 5_000,
    allowPrivateHosts: true,
    ...(connectionsPerOrigin === undefined ? {} : { connectionsPerOrigin }),
  });
}

async function post(via: Dispatcher, path: string, sendBy?: number) {
  const response = await request(`${origin}${path}`, withSendBy({ method: 'POST' as const, dispatcher: via, body: '{}' }, sendBy));
  return response.body.text();
}

describe('the send window', () => {
  it('sends a request without a window, or within it', async () => {
    const via = dispatcher();
    expect(await post(via, '/none')).toBe('ok');
    expect(await post(via, '/in-time', Date.now() + 5_000)).toBe('ok');
    expect(seen).toEqual(expect.arrayContaining(['/none', '/in-time']));
    await via.close();
  });

  it('does not write a request whose window has passed', async () => {
    const via = dispatcher();
    await expect(post(via, '/late', Date.now() - 1)).rejects.toBeInstanceOf(SendWindowClosedError);
    expect(seen).not.toContain('/late');
    // The pool goes on serving.
    expect(await post(via, '/after-late')).toBe('ok');
    await via.close();
  });

  it('decides when the request is about to be written, not when it was queued', async () => {
    const via = dispatcher(1);
    // One connection, busy for 300 ms: the next request waits in undici's queue past its window.
    const busy = post(via, '/busy?delay=300');
    await sleep(20);
    const queued = post(via, '/queued', Date.now() + 100);
    await expect(queued).rejects.toBeInstanceOf(SendWindowClosedError);
    expect(await busy).toBe('ok');
    expect(seen).toContain('/busy?delay=300');
    expect(seen).not.toContain('/queued');
    await via.close();
  });

  it('assertSendWindowOpen throws only once the window has passed', () => {
    expect(() => assertSendWindowOpen(undefined, 1e15)).not.toThrow();
    expect(() => assertSendWindowOpen(1_000, 1_000)).not.toThrow();
    expect(() => assertSendWindowOpen(1_000, 1_001)).toThrow(SendWindowClosedError);
    expect(() => assertSendWindowOpen(1_000, 1_001)).toThrow(/closed 1 ms before/);
    expect(sendWindowClosed(1_000, 1_000)).toBeUndefined();
    expect(sendWindowClosed(1_000, 1_001)).toBeInstanceOf(SendWindowClosedError);
  });
});
