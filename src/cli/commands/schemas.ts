/**
 * `impact-in schemas push|check [--dir D] [--contract C,…]`: register the Avro contracts under
 * their subjects (`<topic>-value`, BACKWARD), or check the local ones against what is registered
 * — exit 1 naming each subject and why a change is incompatible, 0 when every subject is
 * unchanged, compatible or not registered yet. Topics take TOPIC_PREFIX; the registry is
 * SCHEMA_REGISTRY_URL.
 */
import { loadKafkaConfig, loadRegistryConfig } from '../../config/config.ts';
import { topicNames } from '../../kafka/topics.ts';
import { CONTRACTS, SCHEMAS_DIR, type ContractName } from '../../schemas/catalogue.ts';
import { createConfluentRegistry } from '../../schemas/confluent/confluent-registry.ts';
import { checkSchemas, pushSchemas } from '../../schemas/schema-sync.ts';
import type { CommandSpec } from '../help.ts';
import { UsageError, parseFlags } from '../usage.ts';

const SCHEMA_FLAGS = {
  dir: { type: 'string', value: 'DIR', description: "where the contracts are, <dir>/<contract>/v<N>.avsc (default: impact-in's schemas/)" },
  contract: {
    type: 'string',
    value: 'LIST',
    description: `comma list of contracts (default: all of ${CONTRACTS.map((c) => c.name).join(', ')})`,
  },
} as const;
const SCHEMA_ENV = ['SCHEMA_REGISTRY_URL', 'SCHEMA_REGISTRY_TIMEOUT_MS', 'TOPIC_PREFIX'];

export const schemasSpec = {
  name: 'schemas',
  summary: 'the Avro contracts in the schema registry: push them, or check a change is compatible',
  description: 'Subjects are <topic>-value (TopicNameStrategy), each with BACKWARD compatibility.',
  subcommands: [
    {
      name: 'push',
      summary: 'register every contract version under its subjects, oldest first (again = same ids)',
      flags: SCHEMA_FLAGS,
      env: SCHEMA_ENV,
    },
    {
      name: 'check',
      summary: 'check the local schemas against the registry: exit 1 naming subject and field on an incompatible change',
      flags: SCHEMA_FLAGS,
      env: SCHEMA_ENV,
    },
  ],
} as const satisfies CommandSpec;

export async function schemasCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'push' && sub !== 'check') throw new UsageError('schemas: expected "push" or "check"');
  const { values } = parseFlags(rest, SCHEMA_FLAGS);
  const known = CONTRACTS.map((c) => c.name as string);
  const contracts = values.contract?.split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = contracts?.filter((name) => !known.includes(name)) ?? [];
  if (unknown.length > 0) throw new UsageError(`schemas ${sub}: unknown --contract ${unknown.join(',')} (known: ${known.join(', ')})`);
  const target = {
    topics: topicNames(loadKafkaConfig().topicPrefix),
    dir: values.dir ?? SCHEMAS_DIR,
    ...(contracts ? { contracts: contracts as ContractName[] } : {}),
  };
  const registry = createConfluentRegistry(loadRegistryConfig());

  if (sub === 'push') {
    for (const pushed of await pushSchemas(registry, target)) {
      const ids = pushed.ids.map(({ version, id }) => `v${version}=${id}`).join(' ');
      process.stdout.write(`${pushed.subject}\t${pushed.contract}\t${ids}\n`);
    }
    return;
  }

  const checked = await checkSchemas(registry, target);
  for (const { subject, contract, version, verdict } of checked) {
    const detail =
      verdict.status === 'not-registered'
        ? 'not registered yet'
        : verdict.status === 'unchanged'
          ? `unchanged (id ${verdict.id})`
          : verdict.status === 'compatible'
            ? `compatible with id ${verdict.latestId}`
            : `INCOMPATIBLE with id ${verdict.latestId}: ${verdict.reason}`;
    process.stdout.write(`${subject}\t${contract} v${version}\t${detail}\n`);
  }
  const failed = checked.flatMap((c) => (c.verdict.status === 'incompatible' ? [`${c.subject}: ${c.verdict.reason}`] : []));
  if (failed.length > 0) throw new Error(`${failed.length} incompatible schema change(s): ${failed.join('; ')}`);
}
