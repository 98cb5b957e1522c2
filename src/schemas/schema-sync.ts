/**
 * What `impact-in schemas push` and `schemas check` do, over the registry-admin port: push
 * registers every version of every contract under each of its subjects (BACKWARD first, so the
 * registry enforces it from the first version on); check asks the registry whether each current
 * schema would be accepted as the next version of its subject, and says why not.
 */
import avro from 'avsc';
import type { Topics } from '../kafka/topics.ts';
import { CONTRACTS, loadSchemaVersions, valueSubject, type ContractName, type LocalSchema } from './catalogue.ts';
import type { SchemaRegistryAdmin } from './registry.ts';

export interface SyncTarget {
  readonly topics: Topics;
  /** Folder holding `<contract>/v<N>.avsc` (the repository's `schemas/` by default). */
  readonly dir?: string;
  /** Only these contracts (default: all). */
  readonly contracts?: readonly ContractName[];
}

interface Planned {
  readonly contract: ContractName;
  readonly subject: string;
  readonly versions: LocalSchema[];
}

function plan(target: SyncTarget): Planned[] {
  return CONTRACTS.filter((contract) => !target.contracts || target.contracts.includes(contract.name)).flatMap((contract) => {
    const versions = loadSchemaVersions(contract.name, target.dir);
    return contract.topics(target.topics).map((topic) => ({ contract: contract.name, subject: valueSubject(topic), versions }));
  });
}

export interface PushedSubject {
  readonly subject: string;
  readonly contract: ContractName;
  /** Registry id of each local version, oldest first. */
  readonly ids: readonly { readonly version: number; readonly id: number }[];
}

/** Registers every local version under its subjects, oldest first. Registering again changes nothing. */
export async function pushSchemas(admin: SchemaRegistryAdmin, target: SyncTarget): Promise<PushedSubject[]> {
  const pushed: PushedSubject[] = [];
  for (const { contract, subject, versions } of plan(target)) {
    // Apicurio's default rule is "none": set BACKWARD on the subject before its first version.
    await admin.setCompatibility(subject, 'BACKWARD');
    const ids: { version: number; id: number }[] = [];
    for (const version of versions) ids.push({ version: version.version, id: await admin.register(subject, version.text) });
    pushed.push({ subject, contract, ids });
  }
  return pushed;
}

export type CheckVerdict =
  | { readonly status: 'not-registered' }
  | { readonly status: 'unchanged'; readonly id: number }
  | { readonly status: 'compatible'; readonly latestId: number }
  | { readonly status: 'incompatible'; readonly latestId: number; readonly reason: string };

export interface CheckedSubject {
  readonly subject: string;
  readonly contract: ContractName;
  readonly version: number;
  readonly verdict: CheckVerdict;
}

/** Checks each contract's current local schema against the latest version of each of its subjects. */
export async function checkSchemas(admin: SchemaRegistryAdmin, target: SyncTarget): Promise<CheckedSubject[]> {
  const checked: CheckedSubject[] = [];
  for (const { contract, subject, versions } of plan(target)) {
    const current = versions.at(-1)!;
    const latest = await admin.latest(subject);
    let verdict: CheckVerdict;
    if (!latest) verdict = { status: 'not-registered' };
    else if (sameSchema(latest.schema, current)) verdict = { status: 'unchanged', id: latest.id };
    else if (await admin.isCompatible(subject, current.text)) verdict = { status: 'compatible', latestId: latest.id };
    else verdict = { status: 'incompatible', latestId: latest.id, reason: explain(current, latest.schema) };
    checked.push({ subject, contract, version: current.version, verdict });
  }
  return checked;
}

function sameSchema(registered: string, local: LocalSchema): boolean {
  try {
    return JSON.stringify(JSON.parse(registered)) === local.text;
  } catch {
    return false;
  }
}

/**
 * Why the registry refused: BACKWARD means the new schema must read data written with the
 * latest one, which is exactly what Avro schema resolution checks — its error names the field.
 */
function explain(current: LocalSchema, registered: string): string {
  try {
    current.type.createResolver(avro.Type.forSchema(JSON.parse(registered) as avro.Schema));
  } catch (error) {
    return `v${current.version} cannot read data written with the registered schema: ${(error as Error).message}`;
  }
  return `the registry refuses v${current.version} under the subject's compatibility level`;
}
