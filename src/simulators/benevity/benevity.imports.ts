import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import type { RecordStore } from '../common/record-store.ts';
import { checkHoursRecord, isObject } from './benevity.contract.ts';
import type { BenevityStoredHours } from './benevity.contract.ts';
import type { BenevityEntry } from './benevity.routes.ts';
import { BENEVITY_SIGNATURE_HEADER, signBenevityCallback } from './benevity.signature.ts';

/** One record's outcome, as the completion callback and `GET …/imports/:jobId` report it. */
export type BenevityImportResult =
  | { readonly index: number; readonly externalId: string | null; readonly status: 'accepted'; readonly id: string }
  | {
      readonly index: number;
      readonly externalId: string | null;
      readonly status: 'rejected';
      readonly error: { readonly code: string; readonly message: string };
    };

export interface BenevityImportJob {
  readonly jobId: string;
  /** The client whose token submitted the job. */
  readonly clientId: string;
  readonly callbackUrl: string;
  readonly recordCount: number;
  readonly submittedAt: string;
  readonly status: 'queued' | 'completed';
  readonly completedAt?: string;
  readonly results?: readonly BenevityImportResult[];
  /** `pending` until a 2xx answer (`delivered`) or the retries run out (`failed`). */
  readonly callback: { readonly status: 'pending' | 'delivered' | 'failed'; readonly attempts: number };
}

/** One POST of a completion callback to the client's receiver. */
export interface BenevityCallbackDelivery {
  readonly jobId: string;
  /** 1-based, per job, replays included. */
  readonly attempt: number;
  /** True for a `replayCallback()` re-send of an earlier delivery's exact bytes. */
  readonly replay: boolean;
  readonly url: string;
  readonly at: string;
  /** The `x-benevity-signature` header sent. */
  readonly signature: string;
  /** The exact body sent. */
  readonly body: string;
  /** The receiver's HTTP status; undefined when the request failed. */
  readonly status: number | undefined;
  /** Network error code (`ECONNREFUSED`, `UND_ERR_HEADERS_TIMEOUT`…) when the request failed. */
  readonly error: string | undefined;
  /** True for a 2xx answer. */
  readonly ok: boolean;
}

export interface ImportRunnerOptions {
  readonly store: RecordStore<BenevityEntry>;
  readonly now: () => number;
  readonly importDelayMs: number;
  readonly callbackSecret: string;
  /** Re-sends after the first attempt when the receiver fails or answers non-2xx. */
  readonly callbackMaxRetries: number;
  /** Wait before the first retry; doubles for each next one. */
  readonly callbackBackoffMs: number;
  /** Per-attempt headers and body timeout. */
  readonly callbackTimeoutMs: number;
}

type MutableJob = { -readonly [K in keyof BenevityImportJob]: BenevityImportJob[K] };

/** Runs bulk imports: waits `importDelayMs`, applies each record on its own, delivers a signed callback. */
export class ImportRunner {
  readonly #options: ImportRunnerOptions;
  readonly #agent = new Agent();
  #jobs = new Map<string, { job: MutableJob; records: readonly unknown[] }>();
  #deliveries: BenevityCallbackDelivery[] = [];
  #pending = new Set<Promise<void>>();
  #abort = new AbortController();

  constructor(options: ImportRunnerOptions) {
    this.#options = options;
  }

  submit(clientId: string, callbackUrl: string, records: readonly unknown[]): BenevityImportJob {
    const job: MutableJob = {
      jobId: `job_${randomUUID()}`,
      clientId,
      callbackUrl,
      recordCount: records.length,
      submittedAt: this.#iso(),
      status: 'queued',
      callback: { status: 'pending', attempts: 0 },
    };
    this.#jobs.set(job.jobId, { job, records });
    this.#track(this.#run(job, records, this.#abort.signal));
    return { ...job };
  }

  get(jobId: string): BenevityImportJob | undefined {
    const entry = this.#jobs.get(jobId);
    return entry === undefined ? undefined : { ...entry.job };
  }

  jobs(): BenevityImportJob[] {
    return [...this.#jobs.values()].map(({ job }) => ({ ...job }));
  }

  deliveries(): BenevityCallbackDelivery[] {
    return [...this.#deliveries];
  }

  /** Re-sends the last delivered (or attempted) callback of a job byte for byte, signature included. */
  async replay(jobId: string): Promise<BenevityCallbackDelivery> {
    const last = this.#deliveries.findLast((delivery) => delivery.jobId === jobId);
    if (last === undefined) throw new Error(`job '${jobId}' has sent no callback yet`);
    return this.#send(jobId, last.url, last.body, last.signature, true, this.#abort.signal);
  }

  /** Resolves once every queued job has completed and its callback is delivered or has failed. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  stats() {
    const jobs = [...this.#jobs.values()].map(({ job }) => job);
    return {
      imports: {
        submitted: jobs.length,
        completed: jobs.filter((job) => job.status === 'completed').length,
        recordsAccepted: jobs.flatMap((job) => job.results ?? []).filter((r) => r.status === 'accepted').length,
        recordsRejected: jobs.flatMap((job) => job.results ?? []).filter((r) => r.status === 'rejected').length,
      },
      callbacks: {
        attempts: this.#deliveries.filter((delivery) => !delivery.replay).length,
        delivered: jobs.filter((job) => job.callback.status === 'delivered').length,
        failed: jobs.filter((job) => job.callback.status === 'failed').length,
        replays: this.#deliveries.filter((delivery) => delivery.replay).length,
      },
    };
  }

  /** Cancels queued jobs and in-flight callbacks and forgets every job. */
  reset(): void {
    this.#abort.abort();
    this.#abort = new AbortController();
    this.#jobs = new Map();
    this.#deliveries = [];
  }

  async close(): Promise<void> {
    this.#abort.abort();
    await this.settled();
    await this.#agent.destroy();
  }

  #track(work: Promise<void>): void {
    const tracked = work.catch(() => undefined).finally(() => this.#pending.delete(tracked));
    this.#pending.add(tracked);
  }

  #iso(): string {
    return new Date(this.#options.now()).toISOString();
  }

  async #run(job: MutableJob, records: readonly unknown[], signal: AbortSignal): Promise<void> {
    await sleep(this.#options.importDelayMs, undefined, { signal });
    job.results = records.map((input, index) => this.#apply(job, input, index));
    job.status = 'completed';
    job.completedAt = this.#iso();
    const body = JSON.stringify({
      jobId: job.jobId,
      status: 'completed',
      completedAt: job.completedAt,
      results: job.results,
    });
    const { callbackMaxRetries: retries, callbackBackoffMs: backoff } = this.#options;
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await sleep(backoff * 2 ** (attempt - 1), undefined, { signal });
      // Signed per attempt, with the time of that attempt, as a receiver checking freshness expects.
      const signature = signBenevityCallback(this.#options.callbackSecret, body, Math.floor(this.#options.now() / 1000));
      const delivery = await this.#send(job.jobId, job.callbackUrl, body, signature, false, signal);
      job.callback = { status: delivery.ok ? 'delivered' : 'pending', attempts: job.callback.attempts + 1 };
      if (delivery.ok) return;
    }
    job.callback = { status: 'failed', attempts: job.callback.attempts };
  }

  #apply(job: MutableJob, input: unknown, index: number): BenevityImportResult {
    const externalId = isObject(input) && typeof input['externalId'] === 'string' ? input['externalId'] : null;
    const check = checkHoursRecord(input);
    if (!check.ok) {
      return { index, externalId, status: 'rejected', error: { code: check.error.code, message: check.error.message } };
    }
    const stored: BenevityStoredHours = {
      id: `vh_${randomUUID()}`,
      ...check.value,
      jobId: job.jobId,
      createdAt: this.#iso(),
    };
    // Business key = externalId: what the pipeline must never import twice.
    this.#options.store.add(stored.externalId, { kind: 'volunteer_hours', clientId: job.clientId, hours: stored });
    return { index, externalId, status: 'accepted', id: stored.id };
  }

  async #send(
    jobId: string,
    url: string,
    body: string,
    signature: string,
    replay: boolean,
    signal: AbortSignal,
  ): Promise<BenevityCallbackDelivery> {
    const base = { jobId, replay, url, at: this.#iso(), signature, body };
    let outcome: { status: number | undefined; error: string | undefined };
    try {
      const response = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [BENEVITY_SIGNATURE_HEADER]: signature },
        body,
        dispatcher: this.#agent,
        signal,
        headersTimeout: this.#options.callbackTimeoutMs,
        bodyTimeout: this.#options.callbackTimeoutMs,
      });
      await response.body.dump();
      outcome = { status: response.statusCode, error: undefined };
    } catch (error) {
      if (signal.aborted) throw error; // reset or close: this job is gone
      outcome = { status: undefined, error: errorCode(error) };
    }
    const attempt = this.#deliveries.filter((delivery) => delivery.jobId === jobId).length + 1;
    const ok = outcome.status !== undefined && outcome.status >= 200 && outcome.status < 300;
    const delivery: BenevityCallbackDelivery = { ...base, attempt, ...outcome, ok };
    this.#deliveries.push(delivery);
    return delivery;
  }
}

function errorCode(error: unknown): string {
  const e = error as { code?: unknown; cause?: unknown; message?: unknown } | undefined;
  if (typeof e?.code === 'string') return e.code;
  if (e?.cause !== undefined) return errorCode(e.cause);
  return typeof e?.message === 'string' ? e.message : 'unknown_error';
}
