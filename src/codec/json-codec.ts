/** JSON codec validated by a zod schema. Validation reasons name fields, never their values. */
import type { z } from 'zod';
import { ImpactError } from '../domain/errors.ts';
import type { Codec } from './codec.ts';

const MAX_REASON = 400;

export function createJsonCodec<S extends z.ZodType>(schema: S): Codec<z.infer<S>> {
  return {
    decode(bytes) {
      if (bytes === null || bytes.length === 0) throw new ImpactError('DECODE_FAILED', 'empty message value');
      let raw: unknown;
      try {
        raw = JSON.parse(bytes.toString('utf8'));
      } catch {
        throw new ImpactError('DECODE_FAILED', 'message value is not valid JSON');
      }
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        const reason = parsed.error.issues
          .slice(0, 5)
          .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
          .join('; ');
        throw new ImpactError('VALIDATION_FAILED', reason.slice(0, MAX_REASON));
      }
      return parsed.data;
    },
    encode(value) {
      return Buffer.from(JSON.stringify(value), 'utf8');
    },
  };
}
