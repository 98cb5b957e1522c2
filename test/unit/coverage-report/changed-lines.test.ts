/** The coverage gate's base and changed lines: which commit a submission is measured against. */
import { describe, expect, it } from 'vitest';
import { parseZeroContextDiff, resolveBase, type Git } from '../../coverage-report/changed-lines.ts';

/** A git that answers from a table of "args joined by space" → output (null = command failed). */
function fakeGit(answers: Record<string, string | null>): Git {
  return (args) => {
    const key = args.join(' ');
    return Object.hasOwn(answers, key) ? answers[key]! : null;
  };
}

describe('changed lines', () => {
  it('reads added and changed lines from a zero-context diff, per file; deletions add none', () => {
    const diff = [
      'diff --git a/src/a.ts b/src/a.ts',
      '--- a/src/a.ts',
      '+++ b/src/a.ts',
      '@@ -3,0 +4,2 @@ x',
      '+one',
      '+two',
      '@@ -10 +12 @@',
      '-old',
      '+new',
      '@@ -20,3 +21,0 @@',
      'diff --git a/src/b.ts b/src/b.ts',
      '--- a/src/b.ts',
      '+++ /dev/null',
      '@@ -1,5 +0,0 @@',
    ].join('\n');
    expect(parseZeroContextDiff(diff)).toEqual(new Map([['src/a.ts', new Set([4, 5, 12])]]));
  });
});

describe('base of the gate', () => {
  it('COVERAGE_BASE wins, as its merge base with HEAD', () => {
    const git = fakeGit({ 'merge-base HEAD abc': 'abc111' });
    expect(resolveBase(git, { COVERAGE_BASE: 'abc' })).toEqual({ commit: 'abc111', reason: 'COVERAGE_BASE=abc' });
  });

  it('a COVERAGE_BASE git does not know is an error naming it', () => {
    expect(() => resolveBase(fakeGit({}), { COVERAGE_BASE: 'nope' })).toThrow(/COVERAGE_BASE=nope/);
  });

  it('on a branch: the merge base with main', () => {
    const git = fakeGit({ 'rev-parse HEAD': 'head', 'rev-parse --verify --quiet main': 'm', 'merge-base HEAD main': 'fork' });
    expect(resolveBase(git, {})).toEqual({ commit: 'fork', reason: 'merge base with main' });
  });

  it('on main itself: the last landing (HEAD~1)', () => {
    const git = fakeGit({
      'rev-parse HEAD': 'head',
      'rev-parse --verify --quiet origin/main': 'head',
      'merge-base HEAD origin/main': 'head',
      'rev-parse --verify --quiet HEAD~1': 'parent',
    });
    expect(resolveBase(git, {})).toEqual({ commit: 'parent', reason: 'HEAD~1 (on main: the last landing)' });
  });

  it('a single-commit clone has no base', () => {
    expect(resolveBase(fakeGit({ 'rev-parse HEAD': 'head' }), {})).toBeNull();
  });
});
