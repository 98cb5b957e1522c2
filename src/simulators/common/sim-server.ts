import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_BODY_LIMIT_BYTES, parseJsonBody, readBody } from './body.ts';
import { CONTROL_PREFIX, handleControl } from './control-api.ts';
import type { ControlActions, ErrorBody } from './control-api.ts';
import { FaultInjector } from './fault-injector.ts';
import type { RecordStore, StoredEntry } from './record-store.ts';
import { Router } from './router.ts';
import type { SimRequest, SimResponse, SimRoute } from './router.ts';
import { RequestCounter } from './sim-stats.ts';
import type { SimStats } from './sim-stats.ts';

export interface SimServerOptions<T> {
  /** Contract routes. Faults and request counts refer to them by name. */
  readonly routes: readonly SimRoute[];
  /** Where handlers record accepted writes; the control API reports and resets it. */
  readonly store: RecordStore<T>;
  /**
   * Runs before the handler of every contract route (auth, rate limits). Returning a response ends
   * the request there. Runs before the JSON-parse check, so an unauthenticated client gets 401
   * whatever it sent.
   */
  readonly guard?: (request: SimRequest, route: SimRoute) => SimResponse | undefined;
  /** Clears simulator state beyond the store (rate-limit windows…) on `POST /__sim/reset`. */
  readonly onReset?: () => void;
  /** Shapes error bodies; default `{ error: { code, message, details? } }`. */
  readonly errorBody?: ErrorBody;
  /** Request body limit in bytes; 1 MiB by default. Larger bodies get 413. */
  readonly bodyLimitBytes?: number;
  /** Randomness for fault probabilities; inject in tests. */
  readonly random?: () => number;
  /** Simulator-specific fields merged into `stats()` and `GET /__sim/stats` (tokens issued…). */
  readonly extraStats?: () => Readonly<Record<string, unknown>>;
  /** Simulator-specific `/__sim/` actions, e.g. `{ 'POST revoke-tokens': … }`. */
  readonly controlActions?: ControlActions;
  /** The simulator's clock (epoch ms) for `SimRequest.receivedAt`; Date.now by default. */
  readonly now?: () => number;
}

export interface ListenOptions {
  readonly host?: string;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
}

export interface ListeningSimServer {
  /** Base URL, e.g. `http://127.0.0.1:4010`. */
  readonly url: string;
  readonly port: number;
  /** Stops listening and destroys every open socket, held (timeout-faulted) ones included. */
  close(): Promise<void>;
}

const defaultErrorBody: ErrorBody = (code, message, details) => ({
  error: details === undefined ? { code, message } : { code, message, details },
});

/**
 * A tiny node:http server for platform simulators: routing, bounded JSON bodies, per-route fault
 * injection, request counts and the `/__sim/` control API.
 */
export class SimServer<T> {
  readonly faults: FaultInjector;
  readonly store: RecordStore<T>;
  readonly #router: Router;
  readonly #options: SimServerOptions<T>;
  readonly #errorBody: ErrorBody;
  readonly #counter = new RequestCounter();
  readonly #closing = new AbortController();
  #server: Server | undefined;

  constructor(options: SimServerOptions<T>) {
    this.#options = options;
    this.#router = new Router(options.routes);
    this.store = options.store;
    this.faults = new FaultInjector(options.random === undefined ? {} : { random: options.random });
    this.#errorBody = options.errorBody ?? defaultErrorBody;
  }

  stats(): SimStats {
    const extra = this.#options.extraStats?.() ?? {};
    return { ...extra, ...this.store.stats(), requests: this.#counter.snapshot(), faults: this.faults.list() };
  }

  records(): StoredEntry<T>[] {
    return this.store.all();
  }

  /** Clears records, request counts, faults and the simulator's own state. */
  reset(): void {
    this.store.reset();
    this.#counter.reset();
    this.faults.clear();
    this.#options.onReset?.();
  }

  async listen(options: ListenOptions = {}): Promise<ListeningSimServer> {
    if (this.#server !== undefined) throw new Error('simulator is already listening');
    const host = options.host ?? '127.0.0.1';
    const server = createServer((request, response) => {
      this.#handle(request, response).catch((error: unknown) => this.#fail(response, error));
    });
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    return { url, port, close: () => this.#close(server) };
  }

  async #close(server: Server): Promise<void> {
    this.#closing.abort();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Held sockets (timeout faults) and idle keep-alive sockets would otherwise keep close() open.
    server.closeAllConnections();
    await closed;
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const receivedAt = (this.#options.now ?? Date.now)();
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', 'http://simulator.invalid');
    const limit = this.#options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
    const isControl = url.pathname.startsWith(CONTROL_PREFIX);
    const match = isControl ? undefined : this.#router.match(method, url.pathname);
    const routeName = match?.kind === 'found' ? match.route.name : 'unmatched';

    const read = await readBody(request, limit);
    if (read.kind === 'too_large') {
      const body = this.#errorBody('payload_too_large', `request body exceeds ${limit} bytes`);
      if (!isControl) this.#counter.count(routeName, 413);
      this.#send(response, { status: 413, body, headers: { connection: 'close' } });
      return;
    }
    const contentType = request.headers['content-type'];
    if (isControl) {
      // The control API always speaks JSON; ignore the content type so `curl -d '{...}'` works.
      const parsed = parseJsonBody(read.raw, undefined);
      const control = { method, path: url.pathname, body: parsed.body, bodyError: parsed.bodyError };
      this.#send(response, await handleControl(this, control, this.#errorBody, this.#options.controlActions));
      return;
    }
    if (match === undefined || match.kind === 'not_found') {
      this.#respond(response, routeName, {
        status: 404,
        body: this.#errorBody('not_found', `no route for ${method} ${url.pathname}`),
      });
      return;
    }
    if (match.kind === 'method_not_allowed') {
      this.#respond(response, routeName, {
        status: 405,
        body: this.#errorBody('method_not_allowed', `${method} is not allowed on ${url.pathname}`),
        headers: { allow: match.allow.join(', ') },
      });
      return;
    }

    const { route, params } = match;
    const parsed = parseJsonBody(read.raw, contentType);
    const decision = this.faults.decide(route.name);
    if (decision.delayMs > 0) {
      try {
        await sleep(decision.delayMs, undefined, { signal: this.#closing.signal });
      } catch {
        return; // the server is closing; its sockets are being destroyed
      }
    }
    const terminal = decision.terminal;
    if (terminal?.kind === 'status') {
      const code = terminal.status === 429 ? 'rate_limited' : 'injected_fault';
      const headers: Record<string, string> =
        terminal.retryAfterSeconds === undefined ? {} : { 'retry-after': String(terminal.retryAfterSeconds) };
      const body = this.#errorBody(code, `injected ${terminal.status}`);
      this.#respond(response, route.name, { status: terminal.status, body, headers });
      return;
    }
    if (terminal?.kind === 'timeout') {
      // Never answer: the socket stays open until the client gives up or close() destroys it.
      this.#counter.count(route.name, 'timeout');
      return;
    }
    if (terminal?.kind === 'reset') {
      this.#counter.count(route.name, 'reset');
      request.socket.resetAndDestroy();
      return;
    }

    const simRequest: SimRequest = {
      method,
      path: url.pathname,
      params,
      query: url.searchParams,
      headers: request.headers,
      rawBody: read.raw,
      body: parsed.body,
      bodyError: parsed.bodyError,
      receivedAt,
    };
    const result = await this.#run(route, simRequest);
    if (terminal?.kind === 'applied_response_lost') {
      // The handler ran (and recorded the write); the client never learns the outcome.
      this.#counter.count(route.name, 'applied_response_lost');
      request.socket.resetAndDestroy();
      return;
    }
    this.#respond(response, route.name, result);
  }

  async #run(route: SimRoute, request: SimRequest): Promise<SimResponse> {
    const refused = this.#options.guard?.(request, route);
    if (refused !== undefined) return refused;
    const unparsedBody = request.rawBody.length > 0 && request.body === undefined;
    if ((route.accepts ?? 'json') === 'json' && unparsedBody && request.bodyError === undefined) {
      const message = `expected an application/json body, got '${request.headers['content-type'] ?? ''}'`;
      return { status: 415, body: this.#errorBody('unsupported_media_type', message) };
    }
    if (request.bodyError !== undefined) {
      return { status: 400, body: this.#errorBody('invalid_json', `body is not valid JSON: ${request.bodyError}`) };
    }
    return route.handler(request);
  }

  #respond(response: ServerResponse, route: string, result: SimResponse): void {
    this.#counter.count(route, result.status);
    this.#send(response, result);
  }

  #send(response: ServerResponse, result: SimResponse): void {
    if (response.headersSent || response.destroyed) return;
    const headers: Record<string, string> = { ...result.headers };
    if (result.body === undefined) {
      response.writeHead(result.status, headers).end();
      return;
    }
    headers['content-type'] = 'application/json; charset=utf-8';
    response.writeHead(result.status, headers).end(JSON.stringify(result.body));
  }

  #fail(response: ServerResponse, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.#send(response, { status: 500, body: this.#errorBody('internal_error', message) });
  }
}
