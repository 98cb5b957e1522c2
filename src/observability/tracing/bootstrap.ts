/**
 * Turns tracing on before the application's modules load, when — and only when — it is
 * configured with the standard variables: OTEL_EXPORTER_OTLP_ENDPOINT (or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, or OTEL_TRACES_EXPORTER=console|otlp), unless
 * OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none. Off, nothing of the SDK is even loaded and
 * @opentelemetry/api's no-op tracer serves the stage spans.
 *
 * kafkajs and ioredis are CommonJS packages imported from ESM: their instrumentations see them only
 * through import-in-the-middle's loader hook, registered here before the entry point imports them
 * (bin/impact-in.js imports the CLI after this).
 */
import { register } from 'node:module';
import { z } from 'zod';

const tracingEnvSchema = z.object({
  OTEL_SDK_DISABLED: z.enum(['true', 'false', '']).optional(),
  OTEL_TRACES_EXPORTER: z.string().optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url().optional(),
});

export function tracingEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const parsed = tracingEnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`tracing: ${issue.path.join('.')} ${issue.message}`);
  }
  const e = parsed.data;
  if (e.OTEL_SDK_DISABLED === 'true') return false;
  const exporters = (e.OTEL_TRACES_EXPORTER ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (exporters.includes('none')) return false;
  return exporters.length > 0 || e.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined || e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT !== undefined;
}

/** The packages whose instrumentations need the ESM loader hook. */
const HOOKED = ['kafkajs', 'ioredis', 'pg', 'undici'];

let shutdown: (() => Promise<void>) | undefined;

/** Starts the SDK when configured; returns whether tracing is on. Call before importing the application. */
export async function startTracing(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if (shutdown || !tracingEnabled(env)) return shutdown !== undefined;
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, { data: { include: HOOKED } });
  const { startSdk } = await import('./sdk.ts');
  shutdown = startSdk().shutdown;
  return true;
}

/** Flushes and stops the SDK (no-op when tracing is off). */
export async function stopTracing(): Promise<void> {
  await shutdown?.();
  shutdown = undefined;
}
