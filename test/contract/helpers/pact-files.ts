/**
 * Where pact files are written and how drift is caught. Consumer tests write into a fresh
 * directory under .stack/ (never into the committed one: Pact merges into an existing file, which
 * would hide an interaction the connector no longer uses); when a consumer file is done, its pact
 * must equal the committed contract in contracts/pacts/. `PACT_UPDATE=1` accepts the new one.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** The committed contracts: what a team takes to each platform's sandbox. */
export const COMMITTED_PACTS = join(REPO_ROOT, 'contracts/pacts');
/** Where this run's consumer tests write. */
export const GENERATED_PACTS = join(REPO_ROOT, '.stack/pacts');

export const CONSUMER = 'impact-in';

export function pactFileName(provider: string): string {
  return `${CONSUMER}-${provider}.json`;
}

/** Removes this run's earlier output for the pair, so the file holds exactly this run's interactions. */
export function freshPactFile(provider: string): void {
  mkdirSync(GENERATED_PACTS, { recursive: true });
  rmSync(join(GENERATED_PACTS, pactFileName(provider)), { force: true });
}

interface PactFile {
  consumer: { name: string };
  provider: { name: string };
  interactions?: { description: string; providerStates?: unknown }[];
  messages?: { description: string; providerStates?: unknown }[];
  metadata?: { pactSpecification?: unknown };
}

/**
 * The parts of a pact file that are the contract: participants, interactions (in a stable order)
 * and the specification version. The Pact library's own version in `metadata` is left out, so an
 * upgrade of the library alone is not drift.
 */
export function contractOf(file: string): unknown {
  const pact = JSON.parse(readFileSync(file, 'utf8')) as PactFile;
  const order = (items: { description: string; providerStates?: unknown }[] | undefined) =>
    items && [...items].sort((a, b) => `${a.description}${JSON.stringify(a.providerStates)}`.localeCompare(`${b.description}${JSON.stringify(b.providerStates)}`));
  return {
    consumer: pact.consumer,
    provider: pact.provider,
    spec: pact.metadata?.pactSpecification,
    interactions: order(pact.interactions),
    messages: order(pact.messages),
  };
}

/**
 * The generated pact of `provider` against the committed one: equal, or (with PACT_UPDATE=1)
 * copied over it. Returns the two contracts for the caller's assertion.
 */
export function driftOf(provider: string): { generated: unknown; committed: unknown } {
  const generated = join(GENERATED_PACTS, pactFileName(provider));
  const committed = join(COMMITTED_PACTS, pactFileName(provider));
  if (!existsSync(generated)) throw new Error(`the consumer tests wrote no pact file ${generated}`);
  if (process.env['PACT_UPDATE'] === '1') {
    mkdirSync(COMMITTED_PACTS, { recursive: true });
    copyFileSync(generated, committed);
  }
  if (!existsSync(committed)) {
    throw new Error(`no committed contract ${committed}: run the contract tests once with PACT_UPDATE=1 and commit it`);
  }
  return { generated: contractOf(generated), committed: contractOf(committed) };
}
