/**
 * impact-in's inbound HTTP endpoint for platform callbacks — today Benevity's import completions,
 * `POST /callbacks/benevity/<tenant>`. A small node:http listener of its own (not the health
 * server): it is the one port a platform must reach from outside, and it serves nothing else.
 * Bodies are read raw and bounded; handlers get the exact bytes (signatures are over them).
 * Nothing of a body is ever logged: only the route, the status and a reason code.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../observability/logger.ts';

export interface CallbackRequest {
  /** The path segment after the platform, e.g. the tenant id. */
  readonly target: string;
  readonly headers: IncomingHttpHeaders;
  readonly rawBody: Buffer;
}

export interface CallbackResponse {
  readonly status: number;
  /** A reason code for the log and the caller; never anything of the request body. */
  readonly code: string;
  readonly body?: Readonly<Record<string, unknown>>;
}

export type CallbackHandler = (request: CallbackRequest) => Promise<CallbackResponse>;

export interface CallbackServerOptions {
  readonly host: string;
  /** 0 = any free port. */
  readonly port: number;
  /** Handler per platform: `/callbacks/<platform>/<target>`. */
  readonly handlers: Readonly<Record<string, CallbackHandler>>;
  readonly logger: Logger;
  readonly bodyLimitBytes?: number;
}

export interface CallbackServer {
  readonly port: number;
  /** Stops accepting, lets in-flight callbacks finish (they are short), closes idle sockets. */
  close(): Promise<void>;
}

const DEFAULT_BODY_LIMIT = 4 * 1024 * 1024;
const PATH = /^\/callbacks\/([a-z]+)\/([A-Za-z0-9_-]{1,128})$/;

export async function startCallbackServer(options: CallbackServerOptions): Promise<CallbackServer> {
  const limit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  const server: Server = createServer((req, res) => {
    const respond = (response: CallbackResponse, platform = 'unknown') => {
      options.logger.info({ platform, status: response.status, code: response.code }, 'callback answered');
      const body = JSON.stringify(response.body ?? { status: response.code });
      res.writeHead(response.status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(body);
    };
    const match = PATH.exec((req.url ?? '/').split('?')[0] ?? '/');
    const handler = match ? options.handlers[match[1]!] : undefined;
    if (!match || !handler) {
      req.resume();
      respond({ status: 404, code: 'not_found' });
      return;
    }
    const platform = match[1]!;
    if (req.method !== 'POST') {
      req.resume();
      res.setHeader('allow', 'POST');
      respond({ status: 405, code: 'method_not_allowed' }, platform);
      return;
    }
    readBody(req, limit).then(
      async (raw) => {
        if (raw === null) {
          respond({ status: 413, code: 'body_too_large' }, platform);
          return;
        }
        try {
          respond(await handler({ target: match[2]!, headers: req.headers, rawBody: raw }), platform);
        } catch {
          // A dependency failed (PostgreSQL): the platform retries later; nothing was half-done.
          respond({ status: 503, code: 'unavailable' }, platform);
        }
      },
      () => res.destroy(),
    );
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

/** The whole body, or null past `limit` bytes (then the connection is not read further). */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      request.resume();
      resolve(null);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      if (!over) chunks.push(chunk);
    });
    request.on('end', () => resolve(over ? null : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}
