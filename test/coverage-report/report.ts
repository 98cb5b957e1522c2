/**
 * The coverage report of a `make test` run: vitest's coverage (unit, integration and contract
 * tests, in-process) merged with the raw V8 coverage of the service processes the scenarios
 * spawned; an HTML report; the overall figure; and the gate — lines of src/ changed against the
 * base (test/coverage-report/changed-lines.ts) covered at least --threshold %, else exit 1.
 *
 *   node test/coverage-report/report.ts --vitest <coverage-final.json> --children <dir> --out <dir> [--threshold 85]
 */
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createCoverageMap, type CoverageMap } from '@vitest/istanbul-lib-coverage';
import { createContext, create } from '@vitest/istanbul-lib-report';
import astV8ToIstanbul from 'ast-v8-to-istanbul';
import { parseAstAsync } from 'vitest/node';
import { changedSourceLines, gitIn, resolveBase } from './changed-lines.ts';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const SRC_URL = pathToFileURL(join(ROOT, 'src')).href + '/';

interface ScriptCoverage {
  url: string;
  functions: { functionName: string; isBlockCoverage: boolean; ranges: { startOffset: number; endOffset: number; count: number }[] }[];
}

/** Converts every src script of every raw V8 coverage file in `dir` and merges it into `map`. */
async function mergeChildren(map: CoverageMap, dir: string): Promise<number> {
  let files: string[];
  try {
    files = readdirSync(dir).filter((name) => name.endsWith('.json'));
  } catch {
    return 0;
  }
  const sources = new Map<string, { code: string; ast: unknown }>();
  for (const name of files) {
    const raw = JSON.parse(readFileSync(join(dir, name), 'utf8')) as { result: ScriptCoverage[] };
    for (const script of raw.result) {
      if (!script.url.startsWith(SRC_URL) || !script.url.endsWith('.ts')) continue;
      let source = sources.get(script.url);
      if (source === undefined) {
        // Node runs .ts by replacing types with blanks: offsets in the stripped code are the file's own.
        const code = stripTypeScriptTypes(readFileSync(fileURLToPath(script.url), 'utf8'), { mode: 'strip' });
        source = { code, ast: await parseAstAsync(code) };
        sources.set(script.url, source);
      }
      const data = await astV8ToIstanbul({ code: source.code, ast: source.ast as never, coverage: { url: script.url, functions: script.functions } });
      map.merge(data);
    }
  }
  return files.length;
}

function linePercent(covered: number, total: number): string {
  return total === 0 ? '100.00' : ((100 * covered) / total).toFixed(2);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { vitest: { type: 'string' }, children: { type: 'string' }, out: { type: 'string' }, threshold: { type: 'string', default: '85' } },
  });
  if (!values.vitest || !values.out) throw new Error('usage: report.ts --vitest <coverage-final.json> [--children <dir>] --out <dir> [--threshold 85]');
  const threshold = Number(values.threshold);
  const map = createCoverageMap(JSON.parse(readFileSync(values.vitest, 'utf8')));
  const children = values.children ? await mergeChildren(map, values.children) : 0;
  map.filter((file) => file.startsWith(join(ROOT, 'src') + '/'));

  writeFileSync(join(values.out, 'coverage-merged.json'), JSON.stringify(map.toJSON()));
  const context = createContext({ dir: values.out, coverageMap: map, defaultSummarizer: 'nested' });
  create('html', {}).execute(context);
  create('json-summary', {}).execute(context);
  if (values.children) rmSync(values.children, { recursive: true, force: true });

  const summary = map.getCoverageSummary();
  console.log(
    `coverage of src/ (unit + integration + contract tests, ${children} service processes merged): ` +
      `lines ${summary.lines.pct}% (${summary.lines.covered}/${summary.lines.total}), branches ${summary.branches.pct}%, functions ${summary.functions.pct}%; ` +
      `report: ${relative(ROOT, join(values.out, 'index.html'))}`,
  );

  const git = gitIn(ROOT);
  const base = resolveBase(git, process.env);
  if (base === null) {
    console.log('coverage gate: skipped — no base commit (a single-commit clone); set COVERAGE_BASE');
    return 0;
  }
  const changed = changedSourceLines(git, base.commit, (file) => readFileSync(join(ROOT, file), 'utf8').split('\n').length);
  let covered = 0;
  let total = 0;
  const misses: string[] = [];
  for (const [file, lines] of changed) {
    const absolute = join(ROOT, file);
    const hits = map.files().includes(absolute) ? map.fileCoverageFor(absolute).getLineCoverage() : {};
    const uncovered: number[] = [];
    for (const line of lines) {
      const count = hits[line];
      if (count === undefined) continue; // no statement on the line (comment, type, blank)
      total += 1;
      if (count > 0) covered += 1;
      else uncovered.push(line);
    }
    if (uncovered.length > 0) misses.push(`  ${file}: ${ranges(uncovered)}`);
  }
  const pct = linePercent(covered, total);
  const verdict = total === 0 || (100 * covered) / total >= threshold ? 'ok' : 'FAILED';
  console.log(`coverage gate (${base.reason}, ${base.commit.slice(0, 10)}): changed lines of src/ covered ${pct}% (${covered}/${total}), needs ${threshold}% — ${verdict}`);
  if (verdict === 'FAILED') console.log(`uncovered changed lines:\n${misses.join('\n')}`);
  return verdict === 'ok' ? 0 : 1;
}

/** 3,4,5,9 → "3-5, 9". */
function ranges(lines: number[]): string {
  const sorted = [...lines].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const start = sorted[i]!;
    while (i + 1 < sorted.length && sorted[i + 1] === sorted[i]! + 1) i++;
    parts.push(start === sorted[i] ? String(start) : `${start}-${sorted[i]}`);
  }
  return parts.join(', ');
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`coverage report failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
