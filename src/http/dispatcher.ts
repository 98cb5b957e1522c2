/**
 * The one outbound HTTP dispatcher: explicit connect/headers/body timeouts, keep-alive pools, no
 * redirects, and a guard that refuses loopback, private and link-local addresses unless
 * configuration allows them (the simulators and tests need loopback), and the send window (a
 * write is not started after its `sendBy`). Every connector uses it.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { Agent, type Dispatcher } from 'undici';
import { sendWindow } from './send-window.ts';

export interface DispatcherOptions {
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly allowPrivateHosts: boolean;
  /**
   * Sockets per origin at most (default 32). A deliverer sets it to what it may have in flight to
   * one platform, so key-ordered concurrency is not queued behind a smaller pool.
   */
  readonly connectionsPerOrigin?: number;
}

const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::1', 128],
  ['::', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv6');
}

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return PRIVATE.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

export class PrivateAddressError extends Error {
  override readonly name = 'PrivateAddressError';
  readonly code = 'ERR_PRIVATE_ADDRESS';
}

/** A DNS lookup that refuses answers in private ranges (checked after resolution: no rebinding). */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    const allowed = addresses.filter((entry) => !isPrivateAddress(entry.address));
    if (allowed.length === 0) {
      return callback(new PrivateAddressError(`${hostname} resolves only to private addresses`), '', 0);
    }
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, allowed);
    const first = allowed[0]!;
    callback(null, first.address, first.family);
  });
};

export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const agent = new Agent({
    connect: {
      timeout: options.connectTimeoutMs,
      ...(options.allowPrivateHosts ? {} : { lookup: guardedLookup }),
    },
    headersTimeout: options.requestTimeoutMs,
    bodyTimeout: options.requestTimeoutMs,
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 120_000,
    connections: options.connectionsPerOrigin ?? 32,
    // Redirects are not followed: undici only follows them with an explicit redirect interceptor.
  });
  // A write with a `sendBy` is not written after it (src/http/send-window.ts).
  return agent.compose(sendWindow());
}

/** Refuses an IP-literal origin in a private range (a literal never goes through the lookup). */
export function assertOriginAllowed(origin: URL, allowPrivateHosts: boolean): void {
  if (allowPrivateHosts) return;
  const host = origin.hostname.replace(/^\[|\]$/g, '');
  if (isPrivateAddress(host) || host === 'localhost') {
    throw new PrivateAddressError(`${origin.host} is a private address; set ALLOW_PRIVATE_HOSTS=true to allow it`);
  }
}
