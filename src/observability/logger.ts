/**
 * Structured JSON logs (pino). Secrets and personal data never reach a log line: the redact
 * paths below are a safety net; the code itself logs codes, counts and ids, never payloads.
 */
import { trace } from '@opentelemetry/api';
import { pino, type Logger } from 'pino';

export type { Logger };

export const REDACTED_LOG_PATHS = [
  '*.apiKey',
  '*.password',
  '*.secret',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.authorization',
  'headers.authorization',
  'headers["x-api-key"]',
  '*.email',
  '*.phone',
  '*.name',
];

/** Inside a span (tracing on), each line carries the trace and span ids, so a log line finds its trace. */
export function traceFields(): Record<string, string> {
  const span = trace.getActiveSpan()?.spanContext();
  return span === undefined ? {} : { trace_id: span.traceId, span_id: span.spanId };
}

/** A JSON logger to stdout, or appended to `file` when given (the demo keeps its console for progress). */
export function createLogger(level: string, bindings: Record<string, unknown> = {}, file?: string): Logger {
  return pino(
    {
      level,
      base: { service: 'impact-in', pid: process.pid, ...bindings },
      redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin: traceFields,
    },
    file === undefined ? undefined : pino.destination({ dest: file, mkdir: true, sync: false }),
  );
}

/** A logger that writes to stderr (fd 2): for commands whose stdout is their output (`--json`). */
export function createStderrLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  return pino(
    {
      level,
      base: { service: 'impact-in', pid: process.pid, ...bindings },
      redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    pino.destination({ fd: 2, sync: true }),
  );
}
