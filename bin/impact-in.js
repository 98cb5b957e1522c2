#!/usr/bin/env node
// impact-in's CLI. The sources are TypeScript run by Node 24's type stripping: no build step.
// Tracing starts first (only when OTEL_* configures it), so its loader hook sees kafkajs, pg,
// ioredis and undici load; the CLI is imported after it, and the SDK flushed when it returns.
import { startTracing, stopTracing } from '../src/observability/tracing/bootstrap.ts';

await startTracing();
await import('../src/cli/main.ts');
await stopTracing();
