import { z } from 'zod';

/**
 * Faults a simulator can inject at runtime, per named route (or `'*'` for every contract route).
 * They model what a real platform and the network between us do to a delivery: slowness, 429 with
 * Retry-After, 5xx, a request that never answers, a connection reset, and the nastiest one for
 * at-most-once delivery — the platform applied the write but the response never arrived.
 */
export const FAULT_KINDS = ['latency', 'status', 'timeout', 'reset', 'applied_response_lost'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const faultSpecSchema = z
  .strictObject({
    /** Route name as the simulator registered it (e.g. `create`), or `'*'` for every route. */
    route: z.string().min(1),
    kind: z.enum(FAULT_KINDS),
    /** Delay in milliseconds; required for (and only used by) `latency`. */
    ms: z.number().int().min(0).max(600_000).optional(),
    /** HTTP status to answer with; required for (and only used by) `status`. */
    status: z.number().int().min(400).max(599).optional(),
    /** Adds `Retry-After: <seconds>` to a `status` answer. */
    retryAfterSeconds: z.number().int().min(0).optional(),
    /** Apply to the next N matching requests only; unlimited when absent. */
    count: z.number().int().min(1).optional(),
    /** Chance in 0..1 that a matching request is hit; 1 when absent. */
    probability: z.number().min(0).max(1).optional(),
  })
  .superRefine((spec, ctx) => {
    if (spec.kind === 'latency' && spec.ms === undefined) {
      ctx.addIssue({ code: 'custom', path: ['ms'], message: "kind 'latency' requires ms" });
    }
    if (spec.kind !== 'latency' && spec.ms !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['ms'], message: "ms is only valid with kind 'latency'" });
    }
    if (spec.kind === 'status' && spec.status === undefined) {
      ctx.addIssue({ code: 'custom', path: ['status'], message: "kind 'status' requires status (400..599)" });
    }
    if (spec.kind !== 'status' && spec.status !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['status'], message: "status is only valid with kind 'status'" });
    }
    if (spec.kind !== 'status' && spec.retryAfterSeconds !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['retryAfterSeconds'],
        message: "retryAfterSeconds is only valid with kind 'status'",
      });
    }
  });

/** A validated fault spec. `count`, when present, is what is left of it. */
export type FaultSpec = z.infer<typeof faultSpecSchema>;
/** What callers may pass in; validated before use. */
export type FaultSpecInput = z.input<typeof faultSpecSchema>;

/** A fault that ends the request instead of (or, for `applied_response_lost`, after) the handler. */
export type TerminalFault =
  | { readonly kind: 'status'; readonly status: number; readonly retryAfterSeconds?: number }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'reset' }
  | { readonly kind: 'applied_response_lost' };

/** The injector's verdict for one request: wait `delayMs`, then either proceed or apply `terminal`. */
export interface FaultDecision {
  readonly delayMs: number;
  readonly terminal: TerminalFault | undefined;
}

/** Thrown when a fault spec does not validate; `message` names each bad field. */
export class InvalidFaultSpecError extends Error {
  override readonly name = 'InvalidFaultSpecError';
  readonly issues: readonly z.core.$ZodIssue[];

  constructor(error: z.ZodError) {
    super(`invalid fault spec: ${z.prettifyError(error)}`);
    this.issues = error.issues;
  }
}

export interface FaultInjectorOptions {
  /** Source of randomness in [0, 1) for `probability`; inject a fixed sequence in tests. */
  readonly random?: () => number;
}

const faultListSchema = z.array(faultSpecSchema).min(1);

/** Parses one spec or an array of specs; throws {@link InvalidFaultSpecError}. */
export function parseFaultSpecs(input: unknown): FaultSpec[] {
  // Not a z.union: its error would say "Invalid input" instead of naming the bad field.
  if (Array.isArray(input)) {
    const parsed = faultListSchema.safeParse(input);
    if (!parsed.success) throw new InvalidFaultSpecError(parsed.error);
    return parsed.data;
  }
  const parsed = faultSpecSchema.safeParse(input);
  if (!parsed.success) throw new InvalidFaultSpecError(parsed.error);
  return [parsed.data];
}

export class FaultInjector {
  readonly #random: () => number;
  #faults: FaultSpec[] = [];

  constructor(options: FaultInjectorOptions = {}) {
    this.#random = options.random ?? Math.random;
  }

  /** Validates and adds faults (one spec or an array); returns what was added. */
  add(input: unknown): FaultSpec[] {
    const specs = parseFaultSpecs(input);
    this.#faults.push(...specs.map((spec) => ({ ...spec })));
    return specs;
  }

  clear(): void {
    this.#faults = [];
  }

  /** Active faults, in the order they are evaluated, with their remaining counts. */
  list(): FaultSpec[] {
    return this.#faults.map((spec) => ({ ...spec }));
  }

  /**
   * Decides what happens to one request on `route`. Faults are evaluated in insertion order:
   * every matching latency fault adds its delay, the first matching terminal fault wins. A fault
   * with a count is consumed only when it actually hits (its probability roll succeeded).
   */
  decide(route: string): FaultDecision {
    let delayMs = 0;
    let terminal: TerminalFault | undefined;
    for (const spec of this.#faults) {
      if (spec.route !== '*' && spec.route !== route) continue;
      if (spec.kind !== 'latency' && terminal !== undefined) continue;
      if (!this.#hits(spec)) continue;
      if (spec.count !== undefined) spec.count -= 1;
      if (spec.kind === 'latency') delayMs += spec.ms ?? 0;
      else terminal = toTerminal(spec);
    }
    this.#faults = this.#faults.filter((spec) => spec.count === undefined || spec.count > 0);
    return { delayMs, terminal };
  }

  #hits(spec: FaultSpec): boolean {
    const probability = spec.probability ?? 1;
    if (probability >= 1) return true;
    return this.#random() < probability;
  }
}

function toTerminal(spec: FaultSpec): TerminalFault {
  switch (spec.kind) {
    case 'status':
      // The schema guarantees status for kind 'status'.
      return spec.retryAfterSeconds === undefined
        ? { kind: 'status', status: spec.status ?? 500 }
        : { kind: 'status', status: spec.status ?? 500, retryAfterSeconds: spec.retryAfterSeconds };
    case 'timeout':
    case 'reset':
    case 'applied_response_lost':
      return { kind: spec.kind };
    case 'latency':
      throw new Error('latency is not a terminal fault');
  }
}
