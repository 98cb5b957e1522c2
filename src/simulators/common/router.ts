import type { IncomingHttpHeaders } from 'node:http';

/** One request as a simulator handler sees it: body already read (within the size limit). */
export interface SimRequest {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  /** Values of `:name` segments in the route pattern. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** The exact bytes received, for signature checks and non-JSON bodies (forms). */
  readonly rawBody: Buffer;
  /** Parsed JSON body; undefined when the body is empty, not JSON-typed, or did not parse. */
  readonly body: unknown;
  /** Set when a JSON-typed body did not parse. */
  readonly bodyError: string | undefined;
  /** When the server began on the request (epoch ms), before its body was read and any fault's delay. */
  readonly receivedAt?: number;
}

export interface SimResponse {
  readonly status: number;
  /** Serialized as JSON; omitted for no body. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export type SimHandler = (request: SimRequest) => SimResponse | Promise<SimResponse>;

export interface SimRoute {
  /** Stable name used by faults and request counts (e.g. `create`). */
  readonly name: string;
  readonly method: string;
  /** Path pattern; `:name` matches one non-empty segment, e.g. `/donations/:id`. */
  readonly path: string;
  /**
   * `'json'` (the default): a non-empty body must be JSON-typed (or untyped), else 415.
   * `'any'`: the handler reads `rawBody` itself (e.g. form-encoded OAuth token requests).
   */
  readonly accepts?: 'json' | 'any';
  readonly handler: SimHandler;
}

export type RouteMatch =
  | { readonly kind: 'found'; readonly route: SimRoute; readonly params: Record<string, string> }
  | { readonly kind: 'method_not_allowed'; readonly allow: string[] }
  | { readonly kind: 'not_found' };

interface CompiledRoute {
  readonly route: SimRoute;
  readonly segments: readonly string[];
}

function splitPath(path: string): string[] {
  return path.split('/').filter((segment) => segment.length > 0);
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined; // malformed percent-encoding matches no route
  }
}

function matchSegments(pattern: readonly string[], actual: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, expected] of pattern.entries()) {
    const segment = actual[index] ?? '';
    if (expected.startsWith(':')) {
      const value = safeDecode(segment);
      if (value === undefined) return undefined;
      params[expected.slice(1)] = value;
    } else if (expected !== segment) return undefined;
  }
  return params;
}

/** Method + path pattern → route. First registered match wins. */
export class Router {
  readonly #routes: CompiledRoute[];

  constructor(routes: readonly SimRoute[]) {
    const names = new Set<string>();
    for (const route of routes) {
      if (names.has(route.name)) throw new Error(`duplicate route name '${route.name}'`);
      if (route.name === '*') throw new Error("'*' is reserved for faults on every route");
      names.add(route.name);
    }
    this.#routes = routes.map((route) => ({ route, segments: splitPath(route.path) }));
  }

  match(method: string, path: string): RouteMatch {
    const actual = splitPath(path);
    const allow: string[] = [];
    for (const { route, segments } of this.#routes) {
      const params = matchSegments(segments, actual);
      if (params === undefined) continue;
      if (route.method.toUpperCase() === method.toUpperCase()) return { kind: 'found', route, params };
      allow.push(route.method.toUpperCase());
    }
    return allow.length > 0 ? { kind: 'method_not_allowed', allow } : { kind: 'not_found' };
  }
}
