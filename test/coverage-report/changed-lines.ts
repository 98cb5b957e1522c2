/**
 * Which lines of src/ a submission changed: the diff of the working tree against a base commit
 * (plus untracked src files, all their lines). The base, in order:
 *   1. COVERAGE_BASE (any commit-ish), e.g. CI's "commit before this push";
 *   2. the merge base with origin/main, else main, when HEAD is not already on it (a branch or
 *      worktree: exactly what the branch would land);
 *   3. HEAD~1 when HEAD is on main (CI on a clean clone of main: the last landing);
 *   4. none (a single-commit shallow clone): the gate is skipped, and says so.
 */
import { execFileSync } from 'node:child_process';

export type Git = (args: readonly string[]) => string | null;

export function gitIn(cwd: string): Git {
  return (args) => {
    try {
      return execFileSync('git', [...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 }).trim();
    } catch {
      return null;
    }
  };
}

export interface Base {
  readonly commit: string;
  /** How it was chosen, printed with the figure. */
  readonly reason: string;
}

export function resolveBase(git: Git, env: Readonly<Record<string, string | undefined>>): Base | null {
  const explicit = env['COVERAGE_BASE'];
  if (explicit) {
    const commit = git(['merge-base', 'HEAD', explicit]);
    if (commit === null) throw new Error(`COVERAGE_BASE=${explicit} is not a commit this repository knows`);
    return { commit, reason: `COVERAGE_BASE=${explicit}` };
  }
  const head = git(['rev-parse', 'HEAD']);
  for (const ref of ['origin/main', 'main']) {
    if (git(['rev-parse', '--verify', '--quiet', ref]) === null) continue;
    const mergeBase = git(['merge-base', 'HEAD', ref]);
    if (mergeBase !== null && mergeBase !== head) return { commit: mergeBase, reason: `merge base with ${ref}` };
  }
  const parent = git(['rev-parse', '--verify', '--quiet', 'HEAD~1']);
  return parent === null ? null : { commit: parent, reason: 'HEAD~1 (on main: the last landing)' };
}

/** Line numbers added or changed per file, from `git diff --unified=0` output. */
export function parseZeroContextDiff(diff: string): Map<string, Set<number>> {
  const changed = new Map<string, Set<number>>();
  let file: string | undefined;
  for (const line of diff.split('\n')) {
    if (line.startsWith('+++ ')) {
      file = line === '+++ /dev/null' ? undefined : line.slice(4).replace(/^b\//, '');
      continue;
    }
    const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/.exec(line);
    if (hunk && file !== undefined) {
      const start = Number(hunk[1]);
      const count = hunk[2] === undefined ? 1 : Number(hunk[2]);
      const lines = changed.get(file) ?? new Set<number>();
      for (let n = start; n < start + count; n++) lines.add(n);
      if (lines.size > 0) changed.set(file, lines);
    }
  }
  return changed;
}

/** The changed lines of src/**.ts against `base`, working tree and untracked files included. */
export function changedSourceLines(git: Git, base: string, countLines: (file: string) => number): Map<string, Set<number>> {
  const changed = parseZeroContextDiff(git(['diff', '--unified=0', '--no-color', '--no-ext-diff', base, '--', 'src/']) ?? '');
  for (const file of (git(['ls-files', '--others', '--exclude-standard', '--', 'src/']) ?? '').split('\n')) {
    if (file === '') continue;
    changed.set(file, new Set(Array.from({ length: countLines(file) }, (_, i) => i + 1)));
  }
  for (const file of [...changed.keys()]) if (!file.endsWith('.ts')) changed.delete(file);
  return changed;
}
