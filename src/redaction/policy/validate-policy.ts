/**
 * Start-up validation of the redaction policy against the event contract: every payload field of
 * every kind has a treatment, no treatment names an unknown field, required fields are never
 * dropped, and platform allow-lists name only optional fields (or `contact`) that exist.
 */
import type { z } from 'zod';
import { EVENT_KINDS, type EventKind } from '../../domain/event.ts';
import { ImpactError } from '../../domain/errors.ts';
import { PLATFORMS } from '../../domain/platform.ts';
import { PLATFORM_KINDS } from '../../domain/routing.ts';
import type { RedactionPolicy } from './policy.ts';

export type PayloadShapes = Readonly<Record<EventKind, z.ZodObject>>;

export function validatePolicy(policy: RedactionPolicy, shapes: PayloadShapes): RedactionPolicy {
  const problems: string[] = [];
  for (const kind of EVENT_KINDS) {
    const shape = shapes[kind].shape as Record<string, z.ZodType>;
    const treatments = policy.input[kind] ?? {};
    for (const [field, schema] of Object.entries(shape)) {
      const treatment = treatments[field];
      if (!treatment) problems.push(`input.${kind}.${field}: no treatment (keep, scrub or drop)`);
      else if (treatment === 'drop' && !schema.safeParse(undefined).success) {
        problems.push(`input.${kind}.${field}: a required field cannot be dropped`);
      }
    }
    for (const field of Object.keys(treatments)) {
      if (!(field in shape)) problems.push(`input.${kind}.${field}: not a field of ${kind}`);
    }
  }
  for (const platform of PLATFORMS) {
    for (const [kind, fields] of Object.entries(policy.platforms[platform] ?? {}) as [EventKind, readonly string[]][]) {
      if (!PLATFORM_KINDS[platform].includes(kind)) {
        problems.push(`platforms.${platform}.${kind}: ${platform} does not accept ${kind}`);
        continue;
      }
      const shape = shapes[kind].shape as Record<string, z.ZodType>;
      for (const field of fields) {
        if (field === 'contact') {
          if (kind !== 'donation') problems.push(`platforms.${platform}.${kind}.contact: contact exists only on donations`);
          continue;
        }
        const schema = shape[field];
        if (!schema) problems.push(`platforms.${platform}.${kind}.${field}: not a field of ${kind}`);
        else if (!schema.safeParse(undefined).success) {
          problems.push(`platforms.${platform}.${kind}.${field}: required fields always go out; list only optional ones`);
        } else if (policy.input[kind]?.[field] === 'drop') {
          problems.push(`platforms.${platform}.${kind}.${field}: dropped at input, cannot be allowed out`);
        }
      }
    }
  }
  if (!policy.version) problems.push('version: missing');
  if (problems.length > 0) throw new ImpactError('CONFIG_INVALID', `redaction policy: ${problems.join('; ')}`);
  return policy;
}
