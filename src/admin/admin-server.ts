/**
 * The admin listener (ADMIN_HOST/ADMIN_PORT), separate from health/metrics and the Benevity
 * callback: the JSON API under /api/v1 (bearer tokens, scopes, zod-validated both ways, every
 * mutating call audited), /openapi.json, Swagger UI at /docs and the operator page at / — all
 * served from local files, nothing from a CDN. Logs name the method, route, status, duration and
 * the token's name; never a token, an Authorization header or a body.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, normalize } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { AdminToken } from '../config/config.ts';
import { audit } from '../audit/audit.ts';
import type { Db } from '../db/database.ts';
import { errorReason } from '../domain/errors.ts';
import type { Logger } from '../observability/logger.ts';
import { authenticate } from './auth.ts';
import { ApiError, invalid, matchPath, type Route } from './http.ts';
import { openApiDocument } from './openapi.ts';

const PAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'page');
const SWAGGER_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const SWAGGER_FILES = new Set(['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'favicon-32x32.png']);
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.png': 'image/png', '.json': 'application/json' };
const MAX_BODY = 1024 * 1024;

const DOCS_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>impact-in admin API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/swagger-init.js"></script></body></html>`;
const DOCS_INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true });`;

export interface AdminServerOptions {
  readonly host: string;
  readonly port: number;
  readonly tokens: readonly AdminToken[];
  readonly routes: readonly Route[];
  readonly db: Db;
  readonly logger: Logger;
}

export interface AdminServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const spec = JSON.stringify(openApiDocument(options.routes), null, 2);
  const server: Server = createServer((req, res) => {
    const started = Date.now();
    handle(req, res)
      .catch((error: unknown) => {
        if (error instanceof ApiError) return sendError(res, error);
        options.logger.error({ err: errorReason(error), method: req.method, path: pathOf(req) }, 'admin request failed');
        return sendError(res, new ApiError(500, 'INTERNAL', 'internal error'));
      })
      .finally(() => {
        options.logger.debug({ method: req.method, path: pathOf(req), status: res.statusCode, ms: Date.now() - started }, 'admin request');
      });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://admin');
    const path = url.pathname;
    if (req.method === 'GET' && !path.startsWith('/api/')) return serveStatic(res, path, spec);
    const matches = options.routes.map((route) => ({ route, params: matchPath(route.path, path) })).filter((m) => m.params !== null);
    if (matches.length === 0) throw new ApiError(404, 'NOT_FOUND', `no route ${path}`);
    const match = matches.find((m) => m.route.method === req.method);
    if (!match) {
      res.setHeader('allow', [...new Set(matches.map((m) => m.route.method))].join(', '));
      throw new ApiError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${path}`);
    }
    const { route } = match;
    const auth = authenticate(options.tokens, req.headers.authorization, route.scope);
    if (!auth.ok && auth.status === 401) {
      res.setHeader('www-authenticate', 'Bearer');
      throw new ApiError(401, 'UNAUTHORIZED', auth.message);
    }
    const actor = auth.ok ? auth.name : tokenName(options.tokens, req.headers.authorization);
    const mutating = route.method !== 'GET';
    // Only what passed validation is written to the audit (a refused body may hold anything).
    let params: unknown = {};
    let body: unknown = undefined;
    let result: unknown;
    try {
      if (!auth.ok) throw new ApiError(auth.status, 'FORBIDDEN', auth.message);
      params = parse('path', route.params, match.params!);
      const query = parse('query', route.query, Object.fromEntries(url.searchParams));
      if (route.body) {
        const raw = await readBody(req);
        let json: unknown;
        try {
          json = raw.length === 0 ? undefined : JSON.parse(raw.toString('utf8'));
        } catch {
          throw new ApiError(400, 'INVALID_REQUEST', 'body: not valid JSON', 'body');
        }
        body = parse('body', route.body, json);
      }
      result = route.response.parse(await route.handle({ query, params, body, actor }));
    } catch (error) {
      // Every mutating call is audited before it is answered, refusals and failures included.
      if (mutating) {
        const outcome = { status: error instanceof ApiError ? error.status : 500, code: error instanceof ApiError ? error.code : 'INTERNAL' };
        await auditCall(actor, route, path, params, body, outcome).catch((auditError: unknown) =>
          options.logger.error({ err: errorReason(auditError), operation: route.operationId }, 'admin audit write failed'),
        );
      }
      throw error;
    }
    if (mutating) await auditCall(actor, route, path, params, body, { status: route.status });
    send(res, route.status, result);
  }

  async function auditCall(actor: string, route: Route, path: string, params: unknown, body: unknown, outcome: Record<string, unknown>): Promise<void> {
    // Ids, windows, filters and reasons only: request bodies hold no payload or secret.
    const asObject = (value: unknown) => (value && typeof value === 'object' && !Array.isArray(value) ? (value as object) : {});
    await audit(options.db, actor, route.operationId, { path, ...asObject(params), ...asObject(body) }, outcome);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://${options.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function parse(where: 'query' | 'path' | 'body', schema: Route['query'], value: unknown): unknown {
  if (!schema) return undefined;
  const parsed = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (!parsed.success) throw invalid(where, parsed.error);
  return parsed.data;
}

/** The name of a valid token (for the audit of a refused call); never the token itself. */
function tokenName(tokens: readonly AdminToken[], authorization: string | undefined): string {
  const found = authenticate(tokens, authorization, 'read');
  return found.ok ? found.name : 'unknown';
}

function pathOf(req: IncomingMessage): string {
  return (req.url ?? '/').split('?')[0]!;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new ApiError(413, 'PAYLOAD_TOO_LARGE', 'body: larger than 1 MiB', 'body');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(text);
}

function sendError(res: ServerResponse, error: ApiError): void {
  if (res.headersSent) return void res.end();
  send(res, error.status, { code: error.code, message: error.message, field: error.field });
}

async function serveStatic(res: ServerResponse, path: string, spec: string): Promise<void> {
  if (path === '/openapi.json') return void (res.writeHead(200, { 'content-type': 'application/json' }), res.end(spec));
  if (path === '/docs' || path === '/docs/') return void (res.writeHead(200, { 'content-type': TYPES['.html']! }), res.end(DOCS_HTML));
  if (path === '/docs/swagger-init.js') return void (res.writeHead(200, { 'content-type': TYPES['.js']! }), res.end(DOCS_INIT));
  let file: string | null = null;
  if (path.startsWith('/docs/') && SWAGGER_FILES.has(path.slice(6))) file = join(SWAGGER_DIR, path.slice(6));
  else if (path === '/' || path === '/index.html') file = join(PAGE_DIR, 'index.html');
  else if (/^\/page\/[a-z0-9-]+\.(js|css)$/.test(path)) file = join(PAGE_DIR, normalize(path.slice(6)));
  if (!file) throw new ApiError(404, 'NOT_FOUND', `no page ${path}`);
  const content = await readFile(file).catch(() => null);
  if (!content) throw new ApiError(404, 'NOT_FOUND', `no page ${path}`);
  res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
  res.end(content);
}
