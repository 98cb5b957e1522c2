/** The roles one process can run: all of them by default, or any subset. */
import { availablePlatforms } from '../connectors/registry.ts';
import { ImpactError } from '../domain/errors.ts';
import type { Platform } from '../domain/platform.ts';

export type Role = 'redactor' | 'router' | 'relay' | `deliver:${Platform}`;

export function allRoles(): Role[] {
  return ['redactor', 'router', ...availablePlatforms().map((p) => `deliver:${p}` as const), 'relay'];
}

/** Parses `all` or a comma list like `redactor,deliver:goodera`; fails naming the bad role. */
export function parseRoles(value: string): Role[] {
  if (value === 'all') return allRoles();
  const known = new Set<string>(allRoles());
  const roles = value.split(',').map((role) => role.trim()).filter(Boolean);
  const unknown = roles.filter((role) => !known.has(role));
  if (roles.length === 0 || unknown.length > 0) {
    throw new ImpactError(
      'CONFIG_INVALID',
      `--role: unknown role ${unknown.join(', ') || '(empty)'}; expected "all" or some of ${[...known].join(', ')}`,
    );
  }
  return [...new Set(roles)] as Role[];
}
