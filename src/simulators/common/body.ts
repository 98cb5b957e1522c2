import type { IncomingMessage } from 'node:http';

/** Default request body limit: 1 MiB, answered with 413 beyond it. */
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

/** Past this many times the limit we stop draining and drop the connection. */
const DRAIN_FACTOR = 16;

export type BodyResult = { readonly kind: 'ok'; readonly raw: Buffer } | { readonly kind: 'too_large' };

/**
 * Reads the whole body, keeping at most `limit` bytes. An oversized body is still drained (up to a
 * bound) before the 413 goes out, so the client finishes writing and reliably reads the answer
 * instead of failing with EPIPE half-way through its upload.
 */
export function readBody(request: IncomingMessage, limit: number): Promise<BodyResult> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length']);
    let tooLarge = Number.isFinite(declared) && declared > limit;
    let size = 0;
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
      else if (size > limit * DRAIN_FACTOR) request.socket.destroy();
    });
    request.on('end', () => resolve(tooLarge ? { kind: 'too_large' } : { kind: 'ok', raw: Buffer.concat(chunks) }));
    request.on('error', reject);
  });
}

export type ParsedBody = { readonly body: unknown; readonly bodyError: string | undefined };

/**
 * Parses JSON when the body is non-empty and typed as JSON (or untyped). Other content types
 * (e.g. OAuth token forms) are left to the handler through the raw bytes.
 */
export function parseJsonBody(raw: Buffer, contentType: string | undefined): ParsedBody {
  if (raw.length === 0) return { body: undefined, bodyError: undefined };
  if (contentType !== undefined && !contentType.toLowerCase().includes('json')) {
    return { body: undefined, bodyError: undefined };
  }
  try {
    return { body: JSON.parse(raw.toString('utf8')) as unknown, bodyError: undefined };
  } catch (error) {
    return { body: undefined, bodyError: error instanceof Error ? error.message : 'invalid JSON' };
  }
}
