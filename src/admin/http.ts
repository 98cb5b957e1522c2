/**
 * The admin API's route model: each route names its method, path, scope and zod schemas; the
 * server validates every request against them (a 400 names the field) and every response too,
 * and the OpenAPI document is generated from the same definitions.
 */
import type { z } from 'zod';
import type { Scope } from './auth.ts';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | null;

  constructor(status: number, code: string, message: string, field: string | null = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

export interface RouteInput<Q, P, B> {
  readonly query: Q;
  readonly params: P;
  readonly body: B;
  /** The token's name (who, for the audit). */
  readonly actor: string;
}

export interface Route {
  readonly method: 'GET' | 'POST';
  /** OpenAPI-style template: /api/v1/replays/{id}. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly tag: string;
  readonly scope: Scope;
  readonly query?: z.ZodType;
  readonly params?: z.ZodType;
  readonly body?: z.ZodType;
  readonly response: z.ZodType;
  readonly status: number;
  /** Other answers the route may give (404, 409), besides 400/401/403. */
  readonly errors?: readonly number[];
  handle(input: RouteInput<unknown, unknown, unknown>): Promise<unknown>;
}

export function route<Q extends z.ZodType = z.ZodNever, P extends z.ZodType = z.ZodNever, B extends z.ZodType = z.ZodNever, R extends z.ZodType = z.ZodType>(spec: {
  method: 'GET' | 'POST';
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  scope: Scope;
  query?: Q;
  params?: P;
  body?: B;
  response: R;
  status?: number;
  errors?: readonly number[];
  handle(input: RouteInput<z.infer<Q>, z.infer<P>, z.infer<B>>): Promise<z.input<R>>;
}): Route {
  return { ...spec, status: spec.status ?? 200, handle: spec.handle as Route['handle'] };
}

/** Matches a path against a route template; the raw path parameters, or null. */
export function matchPath(template: string, path: string): Record<string, string> | null {
  const t = template.split('/');
  const p = path.split('/');
  if (t.length !== p.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < t.length; i++) {
    const part = t[i]!;
    if (part.startsWith('{') && part.endsWith('}')) {
      if (!p[i]) return null;
      try {
        params[part.slice(1, -1)] = decodeURIComponent(p[i]!);
      } catch {
        return null;
      }
    } else if (part !== p[i]) return null;
  }
  return params;
}

/** The first problem of a failed parse as a 400 naming the field (`query.limit`, `body.from`). */
export function invalid(where: 'query' | 'path' | 'body', error: z.ZodError): ApiError {
  const issue = error.issues[0]!;
  const keys = issue.code === 'unrecognized_keys' ? (issue as { keys?: string[] }).keys : undefined;
  const path = [...issue.path.map(String), ...(keys?.slice(0, 1) ?? [])];
  const field = [where, ...path].join('.');
  return new ApiError(400, 'INVALID_REQUEST', `${field}: ${issue.message}`, field);
}
