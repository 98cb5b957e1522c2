/**
 * The folders of src/ depend on each other one way: a new import that makes two folders depend on
 * each other (as connectors ↔ deliveries once did, through the asynchronous-job types) fails here.
 * The pairs that remain are listed with why; the list may only shrink.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { expect, test } from 'vitest';

const SRC = normalize(join(import.meta.dirname, '../../../src'));

/** Two-way pairs that stand, each with its reason. */
const KNOWN: Record<string, string> = {
  'jobs ↔ observability': 'the callback listener is traced by an interceptor in observability/tracing, which wraps its handler type',
  'kafka ↔ observability': 'the kafkajs adapter logs through the observability logger; the stage interceptors and the lag collector are typed by the Kafka ports',
  'operator ↔ replay': 'the operator context builds the replay verifier; replays run in the operator context',
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

function folderOf(file: string): string | null {
  const [top, ...rest] = relative(SRC, file).split('/');
  return rest.length > 0 && top !== '..' ? top! : null;
}

test('no two folders of src/ import each other, beyond the known pairs', () => {
  const edges = new Set<string>();
  for (const file of sourceFiles(SRC)) {
    const from = folderOf(file);
    if (!from) continue;
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
      const to = folderOf(normalize(join(dirname(file), spec!)));
      if (to && to !== from) edges.add(`${from}→${to}`);
    }
  }
  const twoWay = [...edges]
    .map((edge) => edge.split('→') as [string, string])
    .filter(([a, b]) => a < b && edges.has(`${b}→${a}`))
    .map(([a, b]) => `${a} ↔ ${b}`)
    .sort();
  expect(twoWay).toEqual(Object.keys(KNOWN).sort());
});
